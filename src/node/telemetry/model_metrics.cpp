#include "node/telemetry/model_metrics.h"

#include <numeric>

namespace fogline::telemetry {

ModelMetrics::ModelMetrics(std::string model, std::string version)
    : model_(std::move(model)), version_(std::move(version)) {}

void ModelMetrics::observe(double latency_seconds, bool error, std::optional<double> top1) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_;
  ++interval_requests_;
  if (error) ++errors_;
  latency_sum_ += latency_seconds;
  size_t b = 0;
  while (b < kLatencyBounds.size() && latency_seconds > kLatencyBounds[b]) ++b;
  ++latency_buckets_[b];
  if (top1 && !error) confidence_[confidence_bin(*top1)] += 1;
}

void ModelMetrics::set_baseline(std::vector<double> baseline_counts) {
  std::lock_guard<std::mutex> lock(mu_);
  baseline_ = std::move(baseline_counts);
}

nlohmann::json ModelMetrics::snapshot_json(double elapsed_seconds, uint64_t min_samples) {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json j;
  j["model"] = model_;
  j["version"] = version_;
  j["requests"] = requests_;
  j["errors"] = errors_;
  j["latency_sum_seconds"] = latency_sum_;
  nlohmann::json buckets = nlohmann::json::array();
  uint64_t cumulative = 0;
  for (size_t b = 0; b < latency_buckets_.size(); ++b) {
    cumulative += latency_buckets_[b];
    buckets.push_back({{"le", b < kLatencyBounds.size() ? nlohmann::json(kLatencyBounds[b]) : nlohmann::json("+Inf")},
                       {"count", cumulative}});
  }
  j["latency_buckets"] = std::move(buckets);
  j["throughput_rps"] = elapsed_seconds > 0 ? interval_requests_ / elapsed_seconds : 0.0;
  interval_requests_ = 0;
  std::vector<double> live(confidence_.begin(), confidence_.end());
  j["confidence_bins"] = live;
  double samples = std::accumulate(live.begin(), live.end(), 0.0);
  j["drift_js"] = nullptr;
  j["drift_psi"] = nullptr;
  if (baseline_.size() == live.size() && samples >= static_cast<double>(min_samples)) {
    auto js = jensen_shannon_distance(live, baseline_);
    auto psi = population_stability_index(live, baseline_);
    if (js.is_ok()) j["drift_js"] = *js;
    if (psi.is_ok()) j["drift_psi"] = *psi;
  }
  return j;
}

}  // namespace fogline::telemetry
