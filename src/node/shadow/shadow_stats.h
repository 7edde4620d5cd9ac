// The counters of one shadow version: how many production requests it was compared on, how
// far it agreed, how many it skipped (queue full) or failed, and its own latency. Written by
// the shadow worker and the request threads, read by /metrics and the agent's report.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "node/serving/node_metrics.h"

namespace fogline::node::shadow {

struct ShadowSnapshot {
  uint64_t compared = 0;  // requests run on the shadow and compared
  uint64_t agreed = 0;    // of those, the ones that agreed fully (agreement 1)
  uint64_t skipped = 0;   // not run: the shadow queue was full
  uint64_t errors = 0;    // the shadow's run or the comparison failed
  double agreement_sum = 0;
  NodeMetrics::Histogram latency{};  // the shadow's run, seconds, NodeMetrics::kBuckets
  double latency_sum = 0;

  uint64_t requests() const { return compared + errors; }  // what the shadow was asked to run
  // Mean agreement over the compared requests; meaningless when none were (check compared).
  double agreement() const { return compared ? agreement_sum / static_cast<double>(compared) : 0; }
  double error_rate() const { return requests() ? static_cast<double>(errors) / static_cast<double>(requests()) : 0; }
  double p50_ms() const { return histogram_quantile_ms(latency, 0.5); }
  double p99_ms() const { return histogram_quantile_ms(latency, 0.99); }
};

class ShadowStats {
 public:
  void compared(double agreement, double seconds);
  void failed(double seconds);
  void skipped();
  ShadowSnapshot snapshot() const;

 private:
  void observe(double seconds);  // with mu_ held
  mutable std::mutex mu_;
  ShadowSnapshot s_;
};

// {"agreement" (absent until a request was compared, so a rule never trips on no data),
//  "compared", "agreed", "skipped", "errors", "requests", "error_rate", "p50_ms", "p99_ms"}
nlohmann::json report_metrics(const ShadowSnapshot& s);

// The fogline_node_shadow_* families for these shadows, in the exposition format.
struct ShadowView {
  std::string model, version;
  ShadowSnapshot stats;
};
std::string exposition(const std::vector<ShadowView>& shadows);

}  // namespace fogline::node::shadow
