#include "node/shadow/shadow_stats.h"

#include <cstdio>
#include <sstream>

namespace fogline::node::shadow {

void ShadowStats::observe(double seconds) {
  size_t b = 0;
  while (b < NodeMetrics::kBuckets.size() && seconds > NodeMetrics::kBuckets[b]) ++b;
  ++s_.latency[b];
  s_.latency_sum += seconds;
}

void ShadowStats::compared(double agreement, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++s_.compared;
  if (agreement >= 1.0) ++s_.agreed;
  s_.agreement_sum += agreement;
  observe(seconds);
}

void ShadowStats::failed(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++s_.errors;
  observe(seconds);
}

void ShadowStats::skipped() {
  std::lock_guard<std::mutex> lock(mu_);
  ++s_.skipped;
}

ShadowSnapshot ShadowStats::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return s_;
}

nlohmann::json report_metrics(const ShadowSnapshot& s) {
  nlohmann::json m = {{"compared", s.compared}, {"agreed", s.agreed},         {"skipped", s.skipped},
                      {"errors", s.errors},     {"requests", s.requests()},   {"error_rate", s.error_rate()},
                      {"p50_ms", s.p50_ms()},   {"p99_ms", s.p99_ms()}};
  if (s.compared) m["agreement"] = s.agreement();
  return m;
}

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void header(std::ostringstream& o, const char* name, const char* type, const char* help) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

std::string labels(const ShadowView& v) {
  return "model=\"" + prometheus_label(v.model) + "\",version=\"" + prometheus_label(v.version) + "\"";
}

}  // namespace

std::string exposition(const std::vector<ShadowView>& shadows) {
  std::ostringstream o;
  header(o, "fogline_node_shadow_agreement", "gauge",
         "Mean agreement of the shadow version with production over the compared requests (0..1).");
  for (const auto& v : shadows)
    if (v.stats.compared) o << "fogline_node_shadow_agreement{" << labels(v) << "} " << num(v.stats.agreement()) << '\n';
  struct Counter {
    const char* name;
    const char* help;
    uint64_t ShadowSnapshot::*field;
  };
  static const Counter kCounters[] = {
      {"fogline_node_shadow_compared_total", "Production requests run on the shadow version and compared.",
       &ShadowSnapshot::compared},
      {"fogline_node_shadow_agreed_total", "Compared requests on which the shadow agreed fully.", &ShadowSnapshot::agreed},
      {"fogline_node_shadow_skipped_total", "Production requests not run on the shadow because its queue was full.",
       &ShadowSnapshot::skipped},
      {"fogline_node_shadow_errors_total", "Shadow runs or comparisons that failed.", &ShadowSnapshot::errors},
  };
  for (const auto& c : kCounters) {
    header(o, c.name, "counter", c.help);
    for (const auto& v : shadows) o << c.name << '{' << labels(v) << "} " << v.stats.*c.field << '\n';
  }
  header(o, "fogline_node_shadow_duration_seconds", "histogram", "The shadow version's run time per request.");
  for (const auto& v : shadows) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < NodeMetrics::kBuckets.size(); ++b) {
      cumulative += v.stats.latency[b];
      char bound[32];
      std::snprintf(bound, sizeof bound, "%.6g", NodeMetrics::kBuckets[b]);
      o << "fogline_node_shadow_duration_seconds_bucket{" << labels(v) << ",le=\"" << bound << "\"} " << cumulative << '\n';
    }
    cumulative += v.stats.latency.back();
    o << "fogline_node_shadow_duration_seconds_bucket{" << labels(v) << ",le=\"+Inf\"} " << cumulative << '\n';
    o << "fogline_node_shadow_duration_seconds_sum{" << labels(v) << "} " << num(v.stats.latency_sum) << '\n';
    o << "fogline_node_shadow_duration_seconds_count{" << labels(v) << "} " << cumulative << '\n';
  }
  return o.str();
}

}  // namespace fogline::node::shadow
