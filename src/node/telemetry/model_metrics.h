// Per model version: requests, errors, a latency histogram, throughput and the top-1
// confidence histogram whose distance from the evaluation baseline is the drift score.
// Thread-safe; serving threads call observe(), the agent takes snapshot_json() periodically.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "node/telemetry/drift.h"

namespace fogline::telemetry {

// Upper bounds in seconds (the last bucket is +Inf), as the node's /metrics uses.
inline constexpr std::array<double, 12> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0,  10.0};

class ModelMetrics {
 public:
  ModelMetrics(std::string model, std::string version);

  // Top-1 confidence of the request's answer when it has one (classification).
  void observe(double latency_seconds, bool error, std::optional<double> top1_confidence = {});
  // The evaluation set's top-1 confidence counts over kConfidenceBins bins.
  void set_baseline(std::vector<double> baseline_counts);

  // Cumulative counters plus, over the interval since the previous snapshot, the request rate
  // (`throughput_rps`, given the elapsed seconds) and the drift scores (null until both the
  // baseline and at least `min_samples` confidences exist).
  nlohmann::json snapshot_json(double elapsed_seconds, uint64_t min_samples = 50);

 private:
  std::string model_, version_;
  std::mutex mu_;
  uint64_t requests_ = 0, errors_ = 0, interval_requests_ = 0;
  double latency_sum_ = 0;
  std::array<uint64_t, kLatencyBounds.size() + 1> latency_buckets_{};
  std::array<double, kConfidenceBins> confidence_{};
  std::vector<double> baseline_;
};

}  // namespace fogline::telemetry
