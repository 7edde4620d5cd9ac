// The node's Prometheus metrics: per model and route, requests, errors (by status code) and a
// latency histogram; requests in flight; model load times and swaps; process RSS and CPU.
// Rendered in the text exposition format (version 0.0.4) by `exposition()`.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace fogline::node {

class NodeMetrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets; +Inf is implicit.
  static constexpr std::array<double, 14> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};

  NodeMetrics();

  void request_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  // `model` is "" when the request named no served model.
  void request_finished(const std::string& model, const std::string& route, int status, double seconds);
  void model_loaded(const std::string& model, const std::string& version, double seconds);
  void model_swapped(const std::string& model);

  std::string exposition() const;

  // One model's counters over every route, for the agent's reports to the hub (which subtracts
  // the totals it saw at activation, so a version is judged on its own requests).
  using Histogram = std::array<uint64_t, kBuckets.size() + 1>;  // non-cumulative; the last is +Inf
  struct ModelTotals {
    uint64_t requests = 0, errors = 0;
    Histogram buckets{};
  };
  ModelTotals model_totals(const std::string& model) const;

 private:
  struct Latency {
    std::array<uint64_t, kBuckets.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::atomic<int64_t> in_flight_{0};
  std::map<std::tuple<std::string, std::string>, uint64_t> requests_;            // model, route
  std::map<std::tuple<std::string, std::string, int>, uint64_t> errors_;         // model, route, code
  std::map<std::tuple<std::string, std::string>, Latency> latency_;              // model, route
  std::map<std::tuple<std::string, std::string>, double> load_seconds_;          // model, version
  std::map<std::string, uint64_t> swaps_;
  double start_time_ = 0;  // unix seconds
};

// The latency (ms) below which a fraction `q` of the observations fall: the upper bound of the
// bucket the q-th one lands in (the last, open bucket reads as twice the largest bound); 0
// when the histogram is empty.
double histogram_quantile_ms(const NodeMetrics::Histogram& buckets, double q);

// A label value escaped as the exposition format asks (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

// Resident set size in bytes and CPU seconds (user + system) of this process, from /proc.
struct ProcessStats {
  double resident_bytes = 0;
  double cpu_seconds = 0;
  double open_fds = 0;
};
ProcessStats read_process_stats();

}  // namespace fogline::node
