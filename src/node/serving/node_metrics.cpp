#include "node/serving/node_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace fogline::node {
namespace {

std::string label(const std::string& v) { return prometheus_label(v); }

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Bucket bounds as written in kBuckets ("0.0005", not 17 digits of binary noise).
std::string bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void header(std::ostringstream& o, const char* name, const char* type, const char* help) {
  o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::string prometheus_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

double histogram_quantile_ms(const NodeMetrics::Histogram& buckets, double q) {
  const auto& bounds = NodeMetrics::kBuckets;
  uint64_t count = 0;
  for (uint64_t n : buckets) count += n;
  if (count == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count) + 0.999999);
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t b = 0; b < buckets.size(); ++b) {
    seen += buckets[b];
    if (seen >= rank) return 1000 * (b < bounds.size() ? bounds[b] : 2 * bounds.back());
  }
  return 2000 * bounds.back();
}

NodeMetrics::NodeMetrics() {
  start_time_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void NodeMetrics::request_finished(const std::string& model, const std::string& route, int status, double seconds) {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{model, route}];
  if (status >= 400) ++errors_[{model, route, status}];
  Latency& l = latency_[{model, route}];
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  if (b < kBuckets.size()) ++l.buckets[b];
  ++l.count;
  l.sum += seconds;
}

NodeMetrics::ModelTotals NodeMetrics::model_totals(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  ModelTotals t;
  for (const auto& [key, n] : requests_)
    if (std::get<0>(key) == model) t.requests += n;
  for (const auto& [key, n] : errors_)
    if (std::get<0>(key) == model) t.errors += n;
  for (const auto& [key, l] : latency_) {
    if (std::get<0>(key) != model) continue;
    uint64_t in_buckets = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) t.buckets[b] += l.buckets[b], in_buckets += l.buckets[b];
    t.buckets[kBuckets.size()] += l.count - in_buckets;
  }
  return t;
}

void NodeMetrics::model_loaded(const std::string& model, const std::string& version, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  load_seconds_[{model, version}] = seconds;
}

void NodeMetrics::model_swapped(const std::string& model) {
  std::lock_guard<std::mutex> lock(mu_);
  ++swaps_[model];
}

std::string NodeMetrics::exposition() const {
  std::ostringstream o;
  std::lock_guard<std::mutex> lock(mu_);
  header(o, "fogline_node_requests_total", "counter", "Inference requests by model and route.");
  for (const auto& [k, v] : requests_) {
    o << "fogline_node_requests_total{model=\"" << label(std::get<0>(k)) << "\",route=\"" << label(std::get<1>(k))
      << "\"} " << v << '\n';
  }
  header(o, "fogline_node_request_errors_total", "counter", "Inference requests answered with an HTTP error, by status code.");
  for (const auto& [k, v] : errors_) {
    o << "fogline_node_request_errors_total{model=\"" << label(std::get<0>(k)) << "\",route=\""
      << label(std::get<1>(k)) << "\",code=\"" << std::get<2>(k) << "\"} " << v << '\n';
  }
  header(o, "fogline_node_request_duration_seconds", "histogram", "Inference request latency, parse to reply.");
  for (const auto& [k, l] : latency_) {
    std::string labels = "model=\"" + label(std::get<0>(k)) + "\",route=\"" + label(std::get<1>(k)) + "\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += l.buckets[b];
      o << "fogline_node_request_duration_seconds_bucket{" << labels << ",le=\"" << bound(kBuckets[b]) << "\"} "
        << cumulative << '\n';
    }
    o << "fogline_node_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << l.count << '\n';
    o << "fogline_node_request_duration_seconds_sum{" << labels << "} " << num(l.sum) << '\n';
    o << "fogline_node_request_duration_seconds_count{" << labels << "} " << l.count << '\n';
  }
  header(o, "fogline_node_requests_in_flight", "gauge", "Inference requests being answered now.");
  o << "fogline_node_requests_in_flight " << in_flight_.load(std::memory_order_relaxed) << '\n';
  header(o, "fogline_node_model_load_seconds", "gauge", "Time to load and optimise a model version.");
  for (const auto& [k, v] : load_seconds_) {
    o << "fogline_node_model_load_seconds{model=\"" << label(std::get<0>(k)) << "\",version=\""
      << label(std::get<1>(k)) << "\"} " << num(v) << '\n';
  }
  header(o, "fogline_node_model_swaps_total", "counter", "Hot swaps and rollbacks of a model.");
  for (const auto& [k, v] : swaps_) o << "fogline_node_model_swaps_total{model=\"" << label(k) << "\"} " << v << '\n';

  ProcessStats p = read_process_stats();
  header(o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  o << "process_resident_memory_bytes " << num(p.resident_bytes) << '\n';
  header(o, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
  o << "process_cpu_seconds_total " << num(p.cpu_seconds) << '\n';
  header(o, "process_open_fds", "gauge", "Number of open file descriptors.");
  o << "process_open_fds " << num(p.open_fds) << '\n';
  header(o, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
  o << "process_start_time_seconds " << num(start_time_) << '\n';
  return o.str();
}

ProcessStats read_process_stats() {
  ProcessStats s;
  {
    std::ifstream statm("/proc/self/statm");
    long long size = 0, resident = 0;
    if (statm >> size >> resident) s.resident_bytes = static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
  }
  {
    std::ifstream stat("/proc/self/stat");
    std::string line;
    std::getline(stat, line);
    // The command name may hold spaces; fields resume after its closing parenthesis.
    size_t close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(line.substr(close + 2));
      std::string field;
      double utime = 0, stime = 0;
      for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stod(field);
        if (i == 15) stime = std::stod(field);
      }
      s.cpu_seconds = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  if (DIR* d = opendir("/proc/self/fd")) {
    int n = 0;
    while (readdir(d)) ++n;
    closedir(d);
    s.open_fds = n - 2;  // "." and ".."
  }
  return s;
}

}  // namespace fogline::node
