#include "optimize/qdq_quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "engine/model_builder.h"
#include "engine/session.h"
#include "optimize/onnx_model.h"

namespace fogline::optimize {
namespace {

using engine::DataType;
using engine::Tensor;
using engine::testing::random_tensor;
using engine::testing::set_attr;
using engine::testing::TestModel;

// x -> Conv -> Relu -> Conv(1x1) -> Add(residual) -> GlobalAveragePool -> Flatten -> MatMul -> y
onnx::ModelProto small_cnn() {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 3, 8, 8});
  m.initializer("w1", random_tensor({4, 3, 3, 3}, 1, -0.5f, 0.5f));
  m.initializer("b1", random_tensor({4}, 2, -0.1f, 0.1f));
  m.initializer("w2", random_tensor({4, 4, 1, 1}, 3, -0.5f, 0.5f));
  m.initializer("b2", random_tensor({4}, 4, -0.1f, 0.1f));
  m.initializer("w3", random_tensor({4, 5}, 5, -1.0f, 1.0f));
  auto& c1 = m.node("Conv", {"x", "w1", "b1"}, {"c1"});
  c1.set_name("conv1");
  set_attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Relu", {"c1"}, {"r1"}).set_name("relu1");
  m.node("Conv", {"r1", "w2", "b2"}, {"c2"}).set_name("conv2");
  m.node("Add", {"r1", "c2"}, {"s"}).set_name("add");
  m.node("GlobalAveragePool", {"s"}, {"g"}).set_name("gap");
  m.node("Flatten", {"g"}, {"f"}).set_name("flatten");
  m.node("MatMul", {"f", "w3"}, {"y"}).set_name("fc");
  m.output("y");
  return parse_model(m.bytes(), "small_cnn").value();
}

std::vector<Tensor> samples() {
  std::vector<Tensor> s;
  for (uint32_t i = 0; i < 8; ++i) s.push_back(random_tensor({1, 3, 8, 8}, 100 + i, -1.0f, 1.5f));
  return s;
}

Result<QuantizeReport> quantize(onnx::ModelProto* model, const QuantizeOptions& options) {
  static const std::vector<Tensor> kSamples = samples();
  SampleSource source = [](int64_t i) -> Result<std::vector<Tensor>> { return std::vector<Tensor>{kSamples[i]}; };
  return quantize_static(model, source, static_cast<int64_t>(kSamples.size()), options);
}

std::map<std::string, int> op_counts(const onnx::ModelProto& m) {
  std::map<std::string, int> c;
  for (const auto& n : m.graph().node()) c[n.op_type()]++;
  return c;
}

Tensor run(const onnx::ModelProto& m, const Tensor& x) {
  auto session = engine::Session::from_bytes(m.SerializeAsString());
  EXPECT_TRUE(session.is_ok()) << session.status().message();
  auto out = (*session)->run({x});
  EXPECT_TRUE(out.is_ok()) << out.status().message();
  return (*out)[0];
}

// The quantised model's outputs stay within a few quantisation steps of fp32's on samples().
void expect_close_to_fp32(const onnx::ModelProto& fp32, const onnx::ModelProto& q) {
  for (const Tensor& x : samples()) {
    Tensor a = run(fp32, x), b = run(q, x);
    float max_abs = 0, max_diff = 0;
    for (int64_t i = 0; i < a.numel(); ++i) {
      max_abs = std::max(max_abs, std::fabs(a.data<float>()[i]));
      max_diff = std::max(max_diff, std::fabs(a.data<float>()[i] - b.data<float>()[i]));
    }
    EXPECT_LT(max_diff, 0.03f * max_abs + 0.01f) << "max |y| " << max_abs;
  }
}

TEST(QdqQuantizer, WritesStandardQdqThatRunsCloseToFp32) {
  onnx::ModelProto fp32 = small_cnn(), q = fp32;
  auto report = quantize(&q, {});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->quantized_ops, (std::map<std::string, int>{{"Add", 1}, {"Conv", 2}, {"GlobalAveragePool", 1}, {"MatMul", 1}}));
  EXPECT_EQ(report->folded_activations, 1);
  EXPECT_EQ(report->weights, 3);
  EXPECT_EQ(report->biases, 2);
  auto ops = op_counts(q);
  EXPECT_EQ(ops.count("Relu"), 0u);  // folded into conv1's output quantisation (zero point 0)
  // Activations: x, r1 (conv1+relu), c2, s, g -> f is re-quantised as MatMul's input. The
  // MatMul's output is the graph output and stays float.
  EXPECT_EQ(report->activations, 6);
  EXPECT_EQ(ops["QuantizeLinear"], 6);
  EXPECT_EQ(ops["DequantizeLinear"], 6 + 3 + 2);
  EXPECT_EQ(report->ranges.count("y"), 0u);
  EXPECT_EQ(report->ranges.count("c1"), 0u);  // stats are taken after the ReLU
  ASSERT_EQ(report->ranges.count("r1"), 1u);
  EXPECT_EQ(report->ranges.at("r1").lo, 0.0f);

  // Weights are int8 initializers with per-channel scales; activation zero points are u8.
  Constants constants(q.graph());
  bool saw_weight = false;
  for (const auto& n : q.graph().node()) {
    if (n.op_type() == "DequantizeLinear" && n.input(0).rfind("w1", 0) == 0) {
      saw_weight = true;
      auto w = constants.get(n.input(0));
      ASSERT_TRUE(w.is_ok());
      EXPECT_EQ(w->dtype(), DataType::kInt8);
      EXPECT_EQ(constants.get(n.input(1))->numel(), 4);
      EXPECT_EQ(attribute_int(n, "axis", -1), 0);
    }
    if (n.op_type() == "QuantizeLinear") EXPECT_EQ(constants.get(n.input(2))->dtype(), DataType::kUInt8);
  }
  EXPECT_TRUE(saw_weight);
  EXPECT_GE(default_opset(q), 13);

  // Outputs stay within a few quantisation steps of fp32.
  expect_close_to_fp32(fp32, q);
}

TEST(QdqQuantizer, MinMaxRangeOfTheInputIsTheObservedRange) {
  onnx::ModelProto q = small_cnn();
  auto report = quantize(&q, {});
  ASSERT_TRUE(report.is_ok());
  float lo = 0, hi = 0;
  for (const Tensor& x : samples()) {
    for (int64_t i = 0; i < x.numel(); ++i) {
      lo = std::min(lo, x.data<float>()[i]);
      hi = std::max(hi, x.data<float>()[i]);
    }
  }
  EXPECT_EQ(report->ranges.at("x").lo, lo);
  EXPECT_EQ(report->ranges.at("x").hi, hi);
}

TEST(QdqQuantizer, KeepFp32LeavesTheLayerFloat) {
  onnx::ModelProto q = small_cnn();
  QuantizeOptions options;
  options.keep_fp32 = {"conv2"};
  auto report = quantize(&q, options);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->quantized_ops["Conv"], 1);
  EXPECT_NE(std::find(report->kept_fp32.begin(), report->kept_fp32.end(), "conv2"), report->kept_fp32.end());
  for (const auto& n : q.graph().node()) {
    if (n.name() == "conv2") EXPECT_EQ(n.input(1), "w2");  // the float initializer itself
  }
}

TEST(QdqQuantizer, SignedActivationsAndEntropyCalibration) {
  onnx::ModelProto fp32 = small_cnn(), q = fp32;
  QuantizeOptions options;
  options.activation_type = DataType::kInt8;
  options.calibration.method = CalibrationMethod::kEntropy;
  auto report = quantize(&q, options);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  Constants constants(q.graph());
  for (const auto& n : q.graph().node()) {
    if (n.op_type() == "QuantizeLinear") EXPECT_EQ(constants.get(n.input(2))->dtype(), DataType::kInt8);
  }
  for (const auto& [name, r] : report->ranges) {
    EXPECT_LE(r.hi, r.max + 1e-6f) << name;  // a threshold never widens the observed range
    EXPECT_GE(r.lo, std::min(r.min, 0.0f) - 1e-6f) << name;
  }
  Tensor a = run(fp32, samples()[0]), b = run(q, samples()[0]);
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_NEAR(a.data<float>()[i], b.data<float>()[i], 0.1f);
}

TEST(QdqQuantizer, UpgradesOldOpsetsForPerChannelDequantize) {
  TestModel m(11);
  m.input("x", DataType::kFloat, {1, 2, 4, 4});
  m.initializer("w", random_tensor({2, 2, 1, 1}, 9));
  m.node("Conv", {"x", "w"}, {"c"}).set_name("conv");
  m.node("Unsqueeze", {"c"}, {"y"}).set_name("unsq");
  set_attr(m.proto().mutable_graph()->mutable_node(1)[0], "axes", std::vector<int64_t>{0});
  m.output("y");
  onnx::ModelProto q = parse_model(m.bytes(), "old").value();
  QuantizeOptions options;
  std::vector<Tensor> s = {random_tensor({1, 2, 4, 4}, 1)};
  SampleSource source = [&](int64_t) -> Result<std::vector<Tensor>> { return s; };
  auto report = quantize_static(&q, source, 1, options);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_TRUE(report->opset_upgraded);
  EXPECT_EQ(default_opset(q), 13);
  auto session = engine::Session::from_bytes(q.SerializeAsString());
  EXPECT_TRUE(session.is_ok()) << session.status().message();
}

}  // namespace
}  // namespace fogline::optimize

namespace fogline::optimize {
namespace {

// A detector's tail: box offsets and sigmoid scores concatenated for the output. Quantising
// the Concat would put both under one scale and gain nothing (no int8 op reads it).
TEST(QdqQuantizer, TailConcatStaysFloat) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 3, 4, 4});
  m.initializer("wb", random_tensor({4, 3, 1, 1}, 1, -5.0f, 5.0f));
  m.initializer("ws", random_tensor({2, 3, 1, 1}, 2));
  m.node("Conv", {"x", "wb"}, {"boxes"}).set_name("box_conv");
  m.node("Conv", {"x", "ws"}, {"logits"}).set_name("score_conv");
  m.node("Sigmoid", {"logits"}, {"scores"}).set_name("sigmoid");
  auto& cat = m.node("Concat", {"boxes", "scores"}, {"y"});
  cat.set_name("cat");
  set_attr(cat, "axis", int64_t{1});
  m.output("y");
  onnx::ModelProto fp32 = parse_model(m.bytes(), "tail").value(), q = fp32;
  std::vector<Tensor> s = {random_tensor({1, 3, 4, 4}, 7)};
  SampleSource source = [&](int64_t) -> Result<std::vector<Tensor>> { return s; };
  auto report = quantize_static(&q, source, 1, {});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->quantized_ops, (std::map<std::string, int>{{"Conv", 2}}));
  EXPECT_NE(std::find(report->kept_fp32.begin(), report->kept_fp32.end(), "cat"), report->kept_fp32.end());
  EXPECT_EQ(report->ranges.count("boxes"), 0u);  // conv outputs read only by float ops
  EXPECT_EQ(report->ranges.count("scores"), 0u);
  EXPECT_EQ(report->activations, 1);             // just x
}

// A dequantised classifier's tail: Conv -> Relu -> GlobalAveragePool -> Relu -> Flatten ->
// MatMul. The Relu after the pool (the dequantiser adds one wherever the int8 model's zero
// point was 0) folds into the pool's output quantisation, so the pool stays int8 and the conv
// before it has a quantised output (QLinearConv in the engine, not a float conv).
TEST(QdqQuantizer, PoolBeforeAReluAndAQuantisedMatMulStaysInt8) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 3, 4, 4});
  m.initializer("w", random_tensor({6, 3, 1, 1}, 1, -1.0f, 1.0f));
  m.initializer("wf", random_tensor({6, 5}, 2, -1.0f, 1.0f));
  m.node("Conv", {"x", "w"}, {"c"}).set_name("conv");
  m.node("Relu", {"c"}, {"r"}).set_name("relu");
  m.node("GlobalAveragePool", {"r"}, {"g"}).set_name("gap");
  m.node("Relu", {"g"}, {"gr"}).set_name("relu_after_pool");
  m.node("Flatten", {"gr"}, {"f"}).set_name("flatten");
  m.node("MatMul", {"f", "wf"}, {"y"}).set_name("fc");
  m.output("y");
  onnx::ModelProto fp32 = parse_model(m.bytes(), "pool_tail").value(), q = fp32;
  std::vector<Tensor> s = {random_tensor({1, 3, 4, 4}, 7)};
  SampleSource source = [&](int64_t) -> Result<std::vector<Tensor>> { return s; };
  auto report = quantize_static(&q, source, 1, {});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->quantized_ops, (std::map<std::string, int>{{"Conv", 1}, {"GlobalAveragePool", 1}, {"MatMul", 1}}));
  EXPECT_EQ(std::find(report->kept_fp32.begin(), report->kept_fp32.end(), "gap"), report->kept_fp32.end());
  EXPECT_EQ(report->folded_activations, 2);
  EXPECT_EQ(report->ranges.count("r"), 1u);  // the conv output, through its folded Relu, is quantised
  Tensor want = run(fp32, s[0]), got = run(q, s[0]);
  for (int64_t i = 0; i < want.numel(); ++i) EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i], 0.1f);
}

// x -> convA -> Relu -> convB -> y with convB kept in fp32: by default nothing quantised reads
// convA's output, so convA has no output Q (the engine runs it as a float conv); with
// quantize_kept_inputs convB reads it through Q/DQ and convA stays an 8-bit op.
TEST(QdqQuantizer, KeptLayerCanStillReadAnInt8Input) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 3, 4, 4});
  m.initializer("wa", random_tensor({4, 3, 1, 1}, 1, -1.0f, 1.0f));
  m.initializer("wb", random_tensor({2, 4, 1, 1}, 2, -1.0f, 1.0f));
  m.node("Conv", {"x", "wa"}, {"a"}).set_name("convA");
  m.node("Relu", {"a"}, {"r"}).set_name("relu");
  m.node("Conv", {"r", "wb"}, {"y"}).set_name("convB");
  m.output("y");
  const onnx::ModelProto fp32 = parse_model(m.bytes(), "island").value();
  std::vector<Tensor> s = {random_tensor({1, 3, 4, 4}, 7)};
  SampleSource source = [&](int64_t) -> Result<std::vector<Tensor>> { return s; };
  QuantizeOptions options;
  options.keep_fp32 = {"convB"};
  onnx::ModelProto plain = fp32, island = fp32;
  auto a = quantize_static(&plain, source, 1, options);
  options.quantize_kept_inputs = true;
  auto b = quantize_static(&island, source, 1, options);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->ranges.count("r"), 0u);
  EXPECT_EQ(b->ranges.count("r"), 1u);
  EXPECT_EQ(a->weights, 1);  // convA only: convB keeps its float weights either way
  EXPECT_EQ(b->weights, 1);
  EXPECT_EQ(op_counts(island)["QuantizeLinear"], op_counts(plain)["QuantizeLinear"] + 1);
  Tensor want = run(fp32, s[0]), got = run(island, s[0]);
  for (int64_t i = 0; i < want.numel(); ++i) EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i], 0.1f);
}

}  // namespace
}  // namespace fogline::optimize

namespace fogline::optimize {
namespace {

// PyTorch's exporter reads deduplicated initializers through Identity nodes. A Conv whose
// weight came that way was left float, one whose bias did kept a float bias the engine's
// DQ -> Conv -> Q fusion (before constant folding) does not accept: mobilenet_v2 kept 39 of
// its 53 convolutions in fp32. The quantiser reads the initializers directly instead.
onnx::ModelProto identity_cnn() {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 3, 8, 8});
  m.initializer("w1", random_tensor({4, 3, 3, 3}, 1, -0.5f, 0.5f));
  m.initializer("b", random_tensor({4}, 2, -0.1f, 0.1f));
  m.initializer("w2", random_tensor({4, 4, 1, 1}, 3, -0.5f, 0.5f));
  m.initializer("w3", random_tensor({4, 5}, 5, -1.0f, 1.0f));
  m.node("Identity", {"w1"}, {"w1_id"}).set_name("weight_copy");
  m.node("Identity", {"b"}, {"b_id"}).set_name("bias_copy");
  m.node("Identity", {"b_id"}, {"b_id2"}).set_name("bias_copy2");  // a chain: b -> b_id -> b_id2
  auto& c1 = m.node("Conv", {"x", "w1_id", "b_id2"}, {"c1"});
  c1.set_name("conv1");
  set_attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Relu", {"c1"}, {"r1"}).set_name("relu1");
  m.node("Conv", {"r1", "w2", "b_id"}, {"c2"}).set_name("conv2");  // the shared bias, one Identity away
  m.node("Relu", {"c2"}, {"r2"}).set_name("relu2");
  m.node("GlobalAveragePool", {"r2"}, {"g"}).set_name("gap");
  m.node("Flatten", {"g"}, {"f"}).set_name("flatten");
  m.node("MatMul", {"f", "w3"}, {"y"}).set_name("fc");
  m.output("y");
  return parse_model(m.bytes(), "identity_cnn").value();
}

TEST(QdqQuantizer, WeightsAndBiasesThroughIdentityAreQuantisedFromTheInitializers) {
  const onnx::ModelProto fp32 = identity_cnn();
  onnx::ModelProto q = fp32;
  auto report = quantize(&q, {});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->constant_identities, 3);
  EXPECT_EQ(report->quantized_ops["Conv"], 2);
  EXPECT_EQ(report->weights, 3);
  EXPECT_EQ(report->biases, 2);
  EXPECT_EQ(op_counts(q).count("Identity"), 0u);

  // Each conv reads DQ(int8 initializer) as weight and DQ(int32 initializer) as bias.
  Constants constants(q.graph());
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const auto& n : q.graph().node()) {
    for (const auto& o : n.output()) producer[o] = &n;
  }
  int convs = 0;
  for (const auto& n : q.graph().node()) {
    if (n.op_type() != "Conv") continue;
    ++convs;
    ASSERT_EQ(n.input_size(), 3) << n.name();
    const std::pair<int, DataType> want[] = {{1, DataType::kInt8}, {2, DataType::kInt32}};
    for (const auto& [k, dtype] : want) {
      ASSERT_TRUE(producer.count(n.input(k))) << n.name() << " input " << k << " '" << n.input(k) << "' has no producer";
      const onnx::NodeProto& dq = *producer.at(n.input(k));
      EXPECT_EQ(dq.op_type(), "DequantizeLinear") << n.name() << " input " << k;
      auto t = constants.get(dq.input(0));
      ASSERT_TRUE(t.is_ok()) << n.name() << " input " << k << ": " << t.status().message();
      EXPECT_EQ(t->dtype(), dtype) << n.name() << " input " << k;
    }
  }
  EXPECT_EQ(convs, 2);

  // The engine fuses both convolutions into QLinearConv; outputs stay close to fp32.
  auto session = engine::Session::from_bytes(q.SerializeAsString());
  ASSERT_TRUE(session.is_ok()) << session.status().message();
  std::map<std::string, int> engine_ops;
  for (const auto& n : (*session)->graph().nodes) {
    if (!n.dead) engine_ops[n.op_type]++;
  }
  EXPECT_EQ(engine_ops["QLinearConv"], 2);
  EXPECT_EQ(engine_ops.count("Conv"), 0u);
  expect_close_to_fp32(fp32, q);
}

// An Identity of a constant that is itself a graph output stays (its readers still move to
// the constant); Identity of an activation is left alone.
TEST(OnnxModel, BypassConstantIdentitiesKeepsGraphOutputs) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {2});
  m.initializer("k", random_tensor({2}, 1));
  m.node("Identity", {"k"}, {"k_out"}).set_name("to_output");
  m.node("Identity", {"x"}, {"x_id"}).set_name("of_input");
  m.node("Add", {"x_id", "k_out"}, {"y"}).set_name("add");
  m.output("y");
  m.output("k_out");
  onnx::ModelProto model = parse_model(m.bytes(), "outputs").value();
  EXPECT_EQ(bypass_constant_identities(model.mutable_graph()), 0);
  ASSERT_EQ(model.graph().node_size(), 3);
  EXPECT_EQ(model.graph().node(2).input(0), "x_id");
  EXPECT_EQ(model.graph().node(2).input(1), "k");
}

}  // namespace
}  // namespace fogline::optimize
