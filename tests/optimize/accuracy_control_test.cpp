#include "optimize/accuracy_control.h"

#include <gtest/gtest.h>

#include "engine/model_builder.h"
#include "optimize/bf16_variant.h"
#include "optimize/onnx_model.h"

namespace fogline::optimize {
namespace {

using engine::DataType;
using engine::Tensor;
using engine::testing::random_tensor;
using engine::testing::TestModel;

// x -> convA -> a -> convB -> b -> convC -> y, all 1x1 over 4 channels. convA scales channel 3
// by 1000, so `a` spans [0, 1000] while its channels 0..2 stay in [0, 1]: quantised per tensor,
// those channels fall into the first u8 step (~3.9) and are lost. `a` is quantised only
// because convB (a quantised op) reads it, so convB is the one sensitive layer: keeping it in
// fp32 removes the damage, keeping convA or convC does not.
onnx::ModelProto sensitive_chain() {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 4, 2, 2});
  std::vector<float> wa(16, 0.0f);
  for (int i = 0; i < 4; ++i) wa[i * 4 + i] = i == 3 ? 1000.0f : 1.0f;
  m.initializer("wa", Tensor::from_vector<float>({4, 4, 1, 1}, wa));
  std::vector<float> wb = {1.0f, -0.6f, 0.3f, 0.0001f, -0.4f, 1.0f, 0.5f, 0.0002f,
                           0.7f, 0.2f, -1.0f, -0.0001f, -0.3f, 0.8f, 0.6f, 0.0003f};
  m.initializer("wb", Tensor::from_vector<float>({4, 4, 1, 1}, wb));
  m.initializer("wc", random_tensor({4, 4, 1, 1}, 7, -1.0f, 1.0f));
  m.node("Conv", {"x", "wa"}, {"a"}).set_name("convA");
  m.node("Conv", {"a", "wb"}, {"b"}).set_name("convB");
  m.node("Conv", {"b", "wc"}, {"y"}).set_name("convC");
  m.output("y");
  return parse_model(m.bytes(), "sensitive_chain").value();
}

const std::vector<Tensor>& inputs() {
  static const std::vector<Tensor> kInputs = [] {
    std::vector<Tensor> v;
    for (uint32_t i = 0; i < 24; ++i) v.push_back(random_tensor({1, 4, 2, 2}, 300 + i, 0.0f, 1.0f));
    return v;
  }();
  return kInputs;
}

std::vector<Tensor> run_all(const onnx::ModelProto& m) {
  auto s = engine::Session::from_bytes(m.SerializeAsString());
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  std::vector<Tensor> out;
  for (const auto& x : inputs()) out.push_back((*(*s)->run({x}))[0]);
  return out;
}

// "top1": how often the arg-max channel at each position agrees with the fp32 model's.
MetricFn agreement_with(const onnx::ModelProto& fp32, int* calls) {
  auto ref = std::make_shared<std::vector<Tensor>>(run_all(fp32));
  return [ref, calls](const onnx::ModelProto& m) -> Result<double> {
    ++*calls;
    auto out = run_all(m);
    int agree = 0, total = 0;
    for (size_t s = 0; s < out.size(); ++s) {
      const float* r = (*ref)[s].data<float>();
      const float* y = out[s].data<float>();
      for (int p = 0; p < 4; ++p) {
        int br = 0, by = 0;
        for (int c = 1; c < 4; ++c) {
          if (r[c * 4 + p] > r[br * 4 + p]) br = c;
          if (y[c * 4 + p] > y[by * 4 + p]) by = c;
        }
        agree += br == by;
        ++total;
      }
    }
    return static_cast<double>(agree) / total;
  };
}

SampleSource source() {
  return [](int64_t i) -> Result<std::vector<Tensor>> { return std::vector<Tensor>{inputs()[static_cast<size_t>(i)]}; };
}

QuantizeOptions minmax() {
  QuantizeOptions q;
  q.calibration.method = CalibrationMethod::kMinMax;
  return q;
}

TEST(AccuracyControl, FindsTheSensitiveLayerAndKeepsOnlyItInFp32) {
  const onnx::ModelProto fp32 = sensitive_chain();
  int calls = 0;
  MetricFn metric = agreement_with(fp32, &calls);
  AccuracyControlOptions options;
  options.tolerance = *parse_tolerance("top1>=-5");
  options.baseline = 1.0;
  options.ranking_samples = 16;
  auto r = quantize_with_accuracy_control(fp32, source(), 24, minmax(), options, metric);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_FALSE(r->steps[0].holds) << "all-int8 agreement " << r->steps[0].metric << " should break a 5-point tolerance";
  EXPECT_LT(r->steps[0].metric, 0.9);
  ASSERT_EQ(r->ranking.size(), 3u);
  EXPECT_EQ(r->ranking[0].node, "convB");
  EXPECT_GT(r->ranking[0].score, 10 * std::max(r->ranking[1].score, 1e-12));
  EXPECT_TRUE(r->holds);
  EXPECT_EQ(r->kept(), std::vector<std::string>{"convB"});
  EXPECT_GE(r->metric(), 0.95);
  EXPECT_EQ(calls, 2);  // one layer kept: nothing to prune
  // The model returned is the one evaluated last: convB has float weights, the others int8.
  std::vector<std::string> float_weights;
  for (const auto& init : r->model.graph().initializer()) {
    if (init.data_type() == onnx::TensorProto::FLOAT && init.dims_size() == 4) float_weights.push_back(init.name());
  }
  EXPECT_EQ(float_weights, std::vector<std::string>{"wb"});
}

TEST(AccuracyControl, StopsAtTheBudgetWhenTheToleranceCannotHold) {
  const onnx::ModelProto fp32 = sensitive_chain();
  int calls = 0;
  MetricFn metric = agreement_with(fp32, &calls);
  AccuracyControlOptions options;
  // fp32 agrees with itself at 1.0; nothing can be a point better.
  options.tolerance = *parse_tolerance("top1>=+1");
  options.baseline = 1.0;
  options.max_kept = 2;
  auto r = quantize_with_accuracy_control(fp32, source(), 24, minmax(), options, metric);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_FALSE(r->holds);
  EXPECT_EQ(r->steps.size(), 3u);  // all int8, then 1 and 2 layers kept
  EXPECT_EQ(r->steps[2].kept.size(), 2u);
  EXPECT_EQ(r->steps[1].kept, std::vector<std::string>{"convB"});
  for (const auto& s : r->steps) EXPECT_FALSE(s.holds);
  // The result is the best step (fewest layers on ties), not the last one tried.
  double best = 0;
  for (const auto& s : r->steps) best = std::max(best, s.metric);
  EXPECT_DOUBLE_EQ(r->metric(), best);
  EXPECT_GT(r->metric(), r->steps[0].metric);
  ASSERT_FALSE(r->kept().empty());
  EXPECT_EQ(r->kept()[0], "convB");
}

TEST(AccuracyControl, PruningPutsUnneededLayersBackToInt8) {
  const onnx::ModelProto fp32 = sensitive_chain();
  int calls = 0;
  AccuracyControlOptions options;
  options.tolerance = *parse_tolerance("top1>=-5");
  options.baseline = 1.0;
  options.ranking_samples = 16;
  options.group = 2;  // the first step puts back convB and the next one, which is not needed
  auto r = quantize_with_accuracy_control(fp32, source(), 24, minmax(), options, agreement_with(fp32, &calls));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_TRUE(r->holds);
  ASSERT_EQ(r->steps.size(), 3u);  // all int8, 2 kept, pruning try
  EXPECT_EQ(r->steps[1].kept.size(), 2u);
  EXPECT_TRUE(r->steps[2].holds);
  EXPECT_EQ(r->kept(), std::vector<std::string>{"convB"});
  EXPECT_EQ(calls, 3);
  options.prune = false;
  calls = 0;
  auto kept_both = quantize_with_accuracy_control(fp32, source(), 24, minmax(), options, agreement_with(fp32, &calls));
  ASSERT_TRUE(kept_both.is_ok());
  EXPECT_EQ(kept_both->kept().size(), 2u);
}

TEST(AccuracyControl, AllInt8ThatHoldsNeedsNoRanking) {
  const onnx::ModelProto fp32 = sensitive_chain();
  int calls = 0;
  AccuracyControlOptions options;
  options.tolerance = *parse_tolerance("top1>=-100");
  options.baseline = 1.0;
  auto r = quantize_with_accuracy_control(fp32, source(), 24, minmax(), options, agreement_with(fp32, &calls));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_TRUE(r->holds);
  EXPECT_TRUE(r->ranking.empty());
  EXPECT_TRUE(r->kept().empty());
  EXPECT_EQ(calls, 1);
}

TEST(AccuracyControl, RelativeOutputError) {
  auto t = [](std::vector<float> v) { return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v); };
  std::vector<std::vector<Tensor>> ref = {{t({3, 4})}, {t({1, 0})}};
  std::vector<std::vector<Tensor>> out = {{t({3, 4})}, {t({1, 1})}};
  // Sample 0: no error; sample 1: 1 / 1. Mean 0.5.
  EXPECT_DOUBLE_EQ(relative_output_error(ref, out), 0.5);
  EXPECT_DOUBLE_EQ(relative_output_error(ref, ref), 0.0);
}

// A 3x3 conv (8 -> 16 channels, pads 1) on a symbolic-batch 1x8x32x32 input, a 1x1 conv to
// 4 channels and a MatMul of the flattened 4x32x32 with a 4096x10 weight.
onnx::ModelProto costed_layers() {
  TestModel m(13);
  m.input("x", DataType::kFloat, {-1, 8, 32, 32});
  m.initializer("w1", random_tensor({16, 8, 3, 3}, 1, -1.0f, 1.0f));
  m.initializer("w2", random_tensor({4, 16, 1, 1}, 2, -1.0f, 1.0f));
  m.initializer("shape", Tensor::from_vector<int64_t>({2}, {1, 4096}));
  m.initializer("w3", random_tensor({4096, 10}, 3, -1.0f, 1.0f));
  auto& c1 = m.node("Conv", {"x", "w1"}, {"a"});
  c1.set_name("big");
  engine::testing::set_attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Conv", {"a", "w2"}, {"b"}).set_name("small");
  m.node("Reshape", {"b", "shape"}, {"f"});
  m.node("MatMul", {"f", "w3"}, {"y"}).set_name("fc");
  m.output("y");
  return parse_model(m.bytes(), "costed_layers").value();
}

TEST(AccuracyControl, LayerMacsFromWeightsAndInferredShapes) {
  auto macs = layer_macs(costed_layers());
  ASSERT_EQ(macs.size(), 3u);
  EXPECT_DOUBLE_EQ(macs["big"], 16.0 * 32 * 32 * 8 * 3 * 3);  // the symbolic batch counts as 1
  EXPECT_DOUBLE_EQ(macs["small"], 4.0 * 32 * 32 * 16);
  EXPECT_DOUBLE_EQ(macs["fc"], 10.0 * 4096);
}

TEST(AccuracyControl, CostAwareRankingPutsCheapSensitiveLayersFirst) {
  auto layer = [](const char* name, double score, double macs) {
    LayerSensitivity s;
    s.node = name;
    s.score = score;
    s.macs = macs;
    return s;
  };
  // "early" removes the most error but costs 20 MMAC in fp32; "fc" removes a third of it for
  // 1 MMAC; "noise" makes the error worse and never goes first.
  std::vector<LayerSensitivity> r = {layer("early", 0.30, 20e6), layer("noise", -0.01, 1e3), layer("fc", 0.10, 1e6),
                                     layer("tiny", 0.001, 1e3)};
  auto by_sensitivity = r;
  rank_layers(&by_sensitivity, false);
  ASSERT_EQ(by_sensitivity.size(), 4u);
  EXPECT_EQ(by_sensitivity[0].node, "early");
  EXPECT_EQ(by_sensitivity[1].node, "fc");
  EXPECT_EQ(by_sensitivity[3].node, "noise");
  rank_layers(&r, true);
  EXPECT_EQ(r[0].node, "fc");     // 0.10 per MMAC
  EXPECT_EQ(r[1].node, "tiny");   // 0.001 / 0.05 (the floor) = 0.02 per MMAC
  EXPECT_EQ(r[2].node, "early");  // 0.015 per MMAC
  EXPECT_EQ(r[3].node, "noise");
  EXPECT_NEAR(r[0].priority, 0.10, 1e-12);
}

}  // namespace
}  // namespace fogline::optimize

namespace fogline::optimize {
namespace {

std::string metadata_of(const onnx::ModelProto& m, const std::string& key) {
  for (const auto& kv : m.metadata_props()) if (kv.key() == key) return kv.value();
  return "";
}

// The same search drives bf16 (optimize/bf16_variant.h): every variant it builds carries the
// engine's bf16 hint, and it ends with exactly the layer the metric needs in fp32 (here a
// metric that holds only while convB is named in fogline.fp32_nodes).
TEST(AccuracyControl, DrivesBf16VariantsThroughTheEnginesHint) {
  const onnx::ModelProto fp32 = sensitive_chain();
  std::vector<std::string> seen;
  MetricFn metric = [&](const onnx::ModelProto& m) -> Result<double> {
    EXPECT_EQ(metadata_of(m, engine::kComputePrecisionKey), "bf16");
    seen.push_back(metadata_of(m, engine::kFp32NodesKey));
    return seen.back().find("convB") != std::string::npos ? 1.0 : 0.5;
  };
  VariantBuilder build = [&](const std::set<std::string>& kept) -> Result<onnx::ModelProto> { return bf16_variant(fp32, kept); };
  AccuracyControlOptions options;
  options.tolerance = *parse_tolerance("top1>=-5");
  options.baseline = 1.0;
  options.max_kept = 3;
  options.precision = "bf16";
  auto r = control_accuracy(fp32, build, source(), 24, options, metric);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_TRUE(r->holds);
  EXPECT_EQ(r->kept(), std::vector<std::string>{"convB"});
  EXPECT_EQ(metadata_of(r->model, engine::kFp32NodesKey), "convB");
  EXPECT_DOUBLE_EQ(r->metric(), 1.0);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "");  // the whole graph in bf16 first
}

}  // namespace
}  // namespace fogline::optimize
