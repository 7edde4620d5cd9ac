#include "optimize/candidates.h"

#include <cstdio>

namespace fogline::optimize {

nlohmann::json Candidate::to_json() const {
  nlohmann::json j = {{"name", name}, {"available", available}, {"note", note}};
  if (available) {
    j.update({{"metric", metric}, {"delta_points", delta_points}, {"latency_ms", latency_ms}, {"threads", threads},
              {"size_mb", size_mb}, {"arena_mb", arena_mb}, {"peak_rss_mb", peak_rss_mb}, {"kept_fp32", kept_fp32},
              {"within_tolerance", within}});
    if (metric2 >= 0) j["metric2"] = metric2;
  }
  return j;
}

Choice choose_candidate(std::vector<Candidate>* candidates, const Tolerance& tolerance) {
  Choice choice;
  if (candidates->empty()) {
    choice.tolerance_met = false;
    choice.message = "no candidates";
    return choice;
  }
  auto& c = *candidates;
  const double base = c[0].metric;
  c[0].delta_points = 0;
  // The baseline is what the user already has: it is the fallback whatever the tolerance says.
  c[0].within = tolerance.holds(base, base);
  bool any_optimised = false;
  const Candidate* best_failing = nullptr;
  for (size_t i = 1; i < c.size(); ++i) {
    if (!c[i].available) continue;
    any_optimised = true;
    c[i].delta_points = Tolerance::delta_points(base, c[i].metric);
    c[i].within = tolerance.holds(base, c[i].metric);
    if (c[i].within && c[i].latency_ms < c[choice.index].latency_ms) choice.index = i;
    if (!c[i].within && (best_failing == nullptr || c[i].metric > best_failing->metric)) best_failing = &c[i];
  }
  char buf[512];
  if (choice.index != 0) {
    std::snprintf(buf, sizeof buf, "chose %s: %s %+.2f points (tolerance %s), %.2fx the fp32 speed", c[choice.index].name.c_str(),
                  tolerance.metric.c_str(), c[choice.index].delta_points, tolerance.to_string().c_str(),
                  c[choice.index].latency_ms > 0 ? c[0].latency_ms / c[choice.index].latency_ms : 0.0);
    choice.message = buf;
    return choice;
  }
  bool some_within = false;
  for (size_t i = 1; i < c.size(); ++i) some_within = some_within || (c[i].available && c[i].within);
  if (!any_optimised) {
    choice.tolerance_met = false;
    choice.message = "no optimised candidate could be built; keeping the fp32 variant";
  } else if (some_within) {
    choice.message = "the candidates inside the tolerance are not faster than fp32 on this target; keeping the fp32 variant";
  } else {
    choice.tolerance_met = false;
    std::snprintf(buf, sizeof buf,
                  "tolerance %s cannot be met: the best optimised candidate, %s, has %s %.4f (%+.2f points against fp32 %.4f); "
                  "keeping the fp32 variant",
                  tolerance.to_string().c_str(), best_failing->name.c_str(), tolerance.metric.c_str(), best_failing->metric,
                  best_failing->delta_points, base);
    choice.message = buf;
  }
  return choice;
}

std::string format_candidate_table(const std::vector<Candidate>& c, const Tolerance& tolerance, const std::string& metric2_name,
                                   size_t chosen) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "  %-26s %8s %8s %8s %11s %4s %8s %8s %8s %9s  %s\n", "candidate", tolerance.metric.c_str(),
                metric2_name.c_str(), "delta", "latency ms", "thr", "speed-up", "size MB", "arena MB", "peak RSS", "");
  out += buf;
  const double base_ms = c.empty() ? 0 : c[0].latency_ms;
  for (size_t i = 0; i < c.size(); ++i) {
    const auto& x = c[i];
    const char* mark = i == chosen ? "*" : " ";
    if (!x.available) {
      std::snprintf(buf, sizeof buf, "%s %-26s not available: %s\n", mark, x.name.c_str(), x.note.c_str());
      out += buf;
      continue;
    }
    char m2[16] = "-";
    if (x.metric2 >= 0) std::snprintf(m2, sizeof m2, "%.4f", x.metric2);
    std::snprintf(buf, sizeof buf, "%s %-26s %8.4f %8s %+8.2f %11.2f %4d %7.2fx %8.2f %8.2f %8.1f  %s%s\n", mark, x.name.c_str(),
                  x.metric, m2, x.delta_points, x.latency_ms, x.threads, x.latency_ms > 0 ? base_ms / x.latency_ms : 0.0,
                  x.size_mb, x.arena_mb, x.peak_rss_mb, x.within ? "within" : "OUT of tolerance",
                  x.note.empty() ? "" : ("; " + x.note).c_str());
    out += buf;
  }
  return out;
}

}  // namespace fogline::optimize
