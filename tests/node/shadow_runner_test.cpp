// The shadow runner in-process: copies of production runs are queued up to a bound and run on
// the shadow by one worker; a full queue skips (counted), a shadow that cannot run counts an
// error, and a request pinned to a version that is not current gets no tap.
#include <gtest/gtest.h>

#include "node/shadow/shadow_runner.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

using engine::Tensor;

class ShadowRunnerTest : public ::testing::Test {
 protected:
  std::shared_ptr<const ServedModel> load(const std::string& path, const std::string& version) {
    ModelSource s;
    s.name = "affine", s.path = path, s.version = version;
    auto m = load_model(s, LoadOptions{});
    EXPECT_TRUE(m.is_ok()) << m.status().to_string();
    return m.is_ok() ? *m : nullptr;
  }
  void SetUp() override {
    production_ = load(write_affine_model(dir_.file("p.onnx"), 1), "1");  // y = x + 1
    shadow_ = load(write_affine_model(dir_.file("s.onnx"), -1), "2");     // y = 1 - x
    ASSERT_TRUE(production_ && shadow_);
    table_.swap_model(production_);
    table_.set_shadow(shadow_);
  }
  // Runs production on one row and offers the run through the tap the route would get.
  bool request(shadow::ShadowRunner& runner, std::vector<float> row) {
    std::vector<Tensor> inputs{Tensor::from_vector<float>({1, 4}, row)};
    auto out = production_->session->run(inputs);
    EXPECT_TRUE(out.is_ok());
    RunTap tap = runner.tap_for(table_, production_);
    EXPECT_TRUE(tap);
    if (!tap) return false;
    tap(inputs, *out, {});
    return true;
  }

  TempDir dir_;
  ModelTable table_;
  std::shared_ptr<const ServedModel> production_, shadow_;
};

TEST_F(ShadowRunnerTest, AFullQueueSkipsAndTheWorkerComparesWhatWasQueued) {
  shadow::ShadowRunner runner(2, /*start_worker=*/false);
  // Increasing: production's argmax is 3, the shadow's 0. Constant: both 0.
  ASSERT_TRUE(request(runner, {1, 2, 3, 4}));
  ASSERT_TRUE(request(runner, {5, 5, 5, 5}));
  ASSERT_TRUE(request(runner, {5, 5, 5, 5}));  // the queue holds two: skipped
  ShadowSlot slot = table_.shadow("affine");
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot.stats->snapshot().skipped, 1u);
  EXPECT_EQ(slot.stats->snapshot().compared, 0u);
  runner.start();
  ASSERT_TRUE(runner.drain(30));
  shadow::ShadowSnapshot s = slot.stats->snapshot();
  EXPECT_EQ(s.compared, 2u);
  EXPECT_EQ(s.agreed, 1u);
  EXPECT_EQ(s.skipped, 1u);
  EXPECT_EQ(s.errors, 0u);
  EXPECT_DOUBLE_EQ(s.agreement(), 0.5);
  EXPECT_EQ(s.requests(), 2u);
  uint64_t timed = 0;
  for (uint64_t n : s.latency) timed += n;
  EXPECT_EQ(timed, 2u);
  EXPECT_GT(s.p99_ms(), 0);

  nlohmann::json m = shadow::report_metrics(s);
  EXPECT_EQ(m["agreement"], 0.5);
  EXPECT_EQ(m["compared"], 2);
  EXPECT_EQ(m["skipped"], 1);
  EXPECT_EQ(m["error_rate"], 0.0);
}

TEST_F(ShadowRunnerTest, AShadowThatCannotRunCountsErrors) {
  // The half model takes FP16[2,2]: the affine inputs do not fit it.
  ModelSource s;
  s.name = "affine", s.path = write_half_model(dir_.file("h.onnx")), s.version = "3";
  auto half = load_model(s, LoadOptions{});
  ASSERT_TRUE(half.is_ok()) << half.status().to_string();
  table_.set_shadow(*half);
  shadow::ShadowRunner runner(4);
  ASSERT_TRUE(request(runner, {1, 2, 3, 4}));
  ASSERT_TRUE(runner.drain(30));
  shadow::ShadowSnapshot snap = table_.shadow("affine").stats->snapshot();
  EXPECT_EQ(snap.errors, 1u);
  EXPECT_EQ(snap.compared, 0u);
  EXPECT_EQ(snap.error_rate(), 1.0);
  EXPECT_FALSE(shadow::report_metrics(snap).contains("agreement")) << "no agreement before a comparison";
}

TEST_F(ShadowRunnerTest, OnlyTheCurrentVersionWithAShadowGetsATap) {
  shadow::ShadowRunner runner(4, false);
  EXPECT_TRUE(runner.tap_for(table_, production_));
  // A newer production version: requests pinned to the old one are not compared.
  auto newer = load(write_affine_model(dir_.file("p2.onnx"), 2), "4");
  table_.swap_model(newer);
  EXPECT_FALSE(runner.tap_for(table_, production_));
  EXPECT_TRUE(runner.tap_for(table_, newer));
  EXPECT_TRUE(table_.clear_shadow("affine"));
  EXPECT_FALSE(table_.clear_shadow("affine"));
  EXPECT_FALSE(runner.tap_for(table_, newer));
  // The shadow never shows up as a served version.
  EXPECT_EQ(table_.versions("affine"), (std::vector<std::string>{"4", "1"}));
}

TEST(ShadowExposition, FamiliesPerModelAndVersion) {
  shadow::ShadowStats stats;
  stats.compared(1.0, 0.002);
  stats.compared(0.5, 0.002);
  stats.failed(0.02);
  stats.skipped();
  std::string text = shadow::exposition({{"cam", "3", stats.snapshot()}});
  EXPECT_NE(text.find("fogline_node_shadow_agreement{model=\"cam\",version=\"3\"} 0.75\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fogline_node_shadow_compared_total{model=\"cam\",version=\"3\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("fogline_node_shadow_agreed_total{model=\"cam\",version=\"3\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("fogline_node_shadow_skipped_total{model=\"cam\",version=\"3\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("fogline_node_shadow_errors_total{model=\"cam\",version=\"3\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("fogline_node_shadow_duration_seconds_bucket{model=\"cam\",version=\"3\",le=\"0.0025\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("fogline_node_shadow_duration_seconds_count{model=\"cam\",version=\"3\"} 3\n"), std::string::npos);
}

}  // namespace
}  // namespace fogline::node::testing
