// Drift scores on distributions whose values are known in closed form.
#include <cmath>

#include <gtest/gtest.h>

#include "node/telemetry/drift.h"
#include "node/telemetry/model_metrics.h"

namespace fogline::telemetry {
namespace {

TEST(TelemetryDrift, JensenShannonDistanceKnownValues) {
  std::vector<double> a = {1, 0}, b = {0, 1}, u = {5, 5}, v = {50, 50};
  EXPECT_NEAR(*jensen_shannon_distance(a, b), 1.0, 1e-12);   // disjoint: the maximum
  EXPECT_NEAR(*jensen_shannon_distance(u, v), 0.0, 1e-12);   // counts, not proportions
  // p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4);
  // JS = 1/2 log2(4/3) + 1/2 (1/2 log2(2/3) + 1/2 log2(2)) = 0.311278...
  double expected = std::sqrt(0.5 * std::log2(4.0 / 3) + 0.25 * std::log2(2.0 / 3) + 0.25);
  EXPECT_NEAR(*jensen_shannon_distance(a, u), expected, 1e-12);
  EXPECT_NEAR(*jensen_shannon_distance(u, a), expected, 1e-12);  // symmetric
}

TEST(TelemetryDrift, PopulationStabilityIndexKnownValue) {
  std::vector<double> actual = {0.5, 0.5}, expected = {0.25, 0.75};
  double psi = 0.25 * std::log(2.0) + (-0.25) * std::log(0.5 / 0.75);
  EXPECT_NEAR(*population_stability_index(actual, expected), psi, 1e-12);
  EXPECT_NEAR(*population_stability_index(expected, expected), 0.0, 1e-12);
}

TEST(TelemetryDrift, RefusesMismatchedOrEmptyDistributions) {
  EXPECT_FALSE(jensen_shannon_distance({1, 2}, {1, 2, 3}).is_ok());
  auto r = jensen_shannon_distance({0, 0}, {1, 1});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("live"), std::string::npos);
  EXPECT_FALSE(population_stability_index({1, -1}, {1, 1}).is_ok());
}

TEST(TelemetryDrift, ConfidenceBins) {
  EXPECT_EQ(confidence_bin(0.0), 0);
  EXPECT_EQ(confidence_bin(0.05), 0);
  EXPECT_EQ(confidence_bin(0.15), 1);
  EXPECT_EQ(confidence_bin(0.999), 9);
  EXPECT_EQ(confidence_bin(1.0), 9);
  EXPECT_EQ(confidence_bin(std::nan("")), 0);
}

TEST(TelemetryModelMetrics, SnapshotCountsLatencyAndDriftAgainstTheBaseline) {
  ModelMetrics m("mobilenet", "3");
  std::vector<double> baseline(kConfidenceBins, 0);
  baseline[9] = 80;  // the evaluation set: mostly confident answers
  baseline[8] = 20;
  m.set_baseline(baseline);
  for (int i = 0; i < 40; ++i) m.observe(0.004, false, 0.95);
  for (int i = 0; i < 10; ++i) m.observe(0.004, false, 0.85);
  auto j = m.snapshot_json(10.0);
  EXPECT_EQ(j["requests"], 50);
  EXPECT_NEAR(j["drift_js"].get<double>(), 0.0, 1e-12);  // same 80/20 split
  EXPECT_NEAR(j["throughput_rps"].get<double>(), 5.0, 1e-12);
  // Live traffic turns unconfident: the score rises towards the disjoint maximum.
  for (int i = 0; i < 950; ++i) m.observe(0.2, i % 10 == 0, 0.35);
  j = m.snapshot_json(10.0);
  EXPECT_EQ(j["requests"], 1000);
  EXPECT_EQ(j["errors"], 95);
  EXPECT_GT(j["drift_js"].get<double>(), 0.8);
  EXPECT_GT(j["drift_psi"].get<double>(), 0.25);
  // Cumulative latency buckets: 50 at <= 5 ms, all 1000 at <= 250 ms.
  EXPECT_EQ(j["latency_buckets"][3]["count"], 50);
  EXPECT_EQ(j["latency_buckets"][8]["count"], 1000);
  EXPECT_EQ(j["latency_buckets"].back()["le"], "+Inf");
}

TEST(TelemetryModelMetrics, NoDriftScoreWithoutBaselineOrSamples) {
  ModelMetrics m("m", "1");
  for (int i = 0; i < 100; ++i) m.observe(0.01, false, 0.9);
  EXPECT_TRUE(m.snapshot_json(1)["drift_js"].is_null());
  m.set_baseline(std::vector<double>(kConfidenceBins, 1));
  EXPECT_FALSE(m.snapshot_json(1)["drift_js"].is_null());
  EXPECT_TRUE(m.snapshot_json(1, /*min_samples=*/1000)["drift_js"].is_null());
}

}  // namespace
}  // namespace fogline::telemetry
