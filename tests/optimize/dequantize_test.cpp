#include "optimize/dequantize.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/model_builder.h"
#include "engine/shared_data.h"
#include "optimize/onnx_model.h"
#include "optimize/quant_math.h"

namespace fogline::optimize {
namespace {

using engine::DataType;
using engine::Tensor;
using engine::testing::random_tensor;
using engine::testing::set_attr;
using engine::testing::TestModel;

std::map<std::string, int> op_counts(const onnx::ModelProto& m) {
  std::map<std::string, int> c;
  for (const auto& n : m.graph().node()) c[n.op_type()]++;
  return c;
}

Result<std::vector<Tensor>> run(const onnx::ModelProto& m, const std::vector<Tensor>& inputs) {
  FOGLINE_ASSIGN_OR_RETURN(auto session, engine::Session::from_bytes(m.SerializeAsString()));
  return session->run(inputs);
}

// Weight-only quantisation: DequantizeLinear(int8 weights, per channel) -> Conv. Dequantising
// must give the same float weights the DequantizeLinear computes, so outputs match bit for bit.
TEST(Dequantize, WeightOnlyConvIsExact) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 2, 5, 5});
  Tensor w = Tensor::from_vector<int8_t>({3, 2, 3, 3}, {});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>((i * 37) % 255 - 127);
  m.initializer("w_q", w);
  m.initializer("w_scale", Tensor::from_vector<float>({3}, {0.01f, 0.02f, 0.003f}));
  m.initializer("w_zp", Tensor::from_vector<int8_t>({3}, {0, 0, 0}));
  m.initializer("b", Tensor::from_vector<float>({3}, {0.1f, -0.2f, 0.3f}));
  auto& dq = m.node("DequantizeLinear", {"w_q", "w_scale", "w_zp"}, {"w"});
  set_attr(dq, "axis", int64_t{0});
  auto& conv = m.node("Conv", {"x", "w", "b"}, {"y"});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.output("y");
  auto original = parse_model(m.bytes(), "test");
  ASSERT_TRUE(original.is_ok());
  onnx::ModelProto converted = *original;
  auto report = dequantize_model(&converted);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(op_counts(converted), (std::map<std::string, int>{{"Conv", 1}}));
  EXPECT_EQ(report->weights_dequantized, 1);
  // The new initializer holds (q - zp) * scale per output channel.
  Constants constants(converted.graph());
  auto wf = constants.get(converted.graph().node(0).input(1));
  ASSERT_TRUE(wf.is_ok()) << wf.status().message();
  for (int64_t i = 0; i < w.numel(); ++i) {
    const float scale = i < 18 ? 0.01f : i < 36 ? 0.02f : 0.003f;
    EXPECT_EQ(wf->data<float>()[i], static_cast<float>(w.data<int8_t>()[i]) * scale) << i;
  }
  Tensor x = random_tensor({1, 2, 5, 5}, 3);
  auto a = run(*original, {x});
  auto b = run(converted, {x});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  for (int64_t i = 0; i < (*a)[0].numel(); ++i) EXPECT_EQ((*a)[0].data<float>()[i], (*b)[0].data<float>()[i]) << i;
}

// A QLinearConv model as ORT's operator-format quantiser writes it: QuantizeLinear on the
// input, QLinearConv with per-channel int8 weights and an int32 bias, DequantizeLinear out.
TestModel qlinear_conv_model(uint8_t y_zero_point, float y_scale = 0.01f) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 2, 4, 4});
  m.initializer("x_scale", Tensor::scalar<float>(2.0f / 255));
  m.initializer("x_zp", Tensor::scalar<uint8_t>(128));
  Tensor w = Tensor::from_vector<int8_t>({2, 2, 1, 1}, {10, -20, 30, 127});
  m.initializer("w_q", w);
  m.initializer("w_scale", Tensor::from_vector<float>({2}, {0.01f, 0.005f}));
  m.initializer("w_zp", Tensor::from_vector<int8_t>({2}, {0, 0}));
  m.initializer("y_scale", Tensor::scalar<float>(y_scale));
  m.initializer("y_zp", Tensor::scalar<uint8_t>(y_zero_point));
  m.initializer("b_q", Tensor::from_vector<int32_t>({2}, {1000, -500}));
  m.node("QuantizeLinear", {"x", "x_scale", "x_zp"}, {"xq"});
  m.node("QLinearConv", {"xq", "x_scale", "x_zp", "w_q", "w_scale", "w_zp", "y_scale", "y_zp", "b_q"}, {"yq"});
  m.node("DequantizeLinear", {"yq", "y_scale", "y_zp"}, {"y"});
  m.output("y");
  return m;
}

TEST(Dequantize, QLinearConvBecomesConvWithRealWeightsAndBias) {
  auto original = parse_model(qlinear_conv_model(0).bytes(), "test");
  ASSERT_TRUE(original.is_ok());
  onnx::ModelProto converted = *original;
  auto report = dequantize_model(&converted);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  // Output zero point 0 in u8: the int8 model clips at 0, a fused ReLU.
  EXPECT_EQ(op_counts(converted), (std::map<std::string, int>{{"Conv", 1}, {"Relu", 1}, {"Identity", 1}}));
  EXPECT_EQ(report->relus_added, 1);
  Constants constants(converted.graph());
  const onnx::NodeProto* conv = nullptr;
  for (const auto& n : converted.graph().node()) {
    if (n.op_type() == "Conv") conv = &n;
  }
  ASSERT_NE(conv, nullptr);
  auto bias = constants.get(conv->input(2));
  ASSERT_TRUE(bias.is_ok());
  EXPECT_FLOAT_EQ(bias->data<float>()[0], 1000 * (2.0f / 255) * 0.01f);
  EXPECT_FLOAT_EQ(bias->data<float>()[1], -500 * (2.0f / 255) * 0.005f);
  // The fp32 model matches the int8 model within the quantisation steps of input and output.
  Tensor x = random_tensor({1, 2, 4, 4}, 5);
  auto a = run(*original, {x});
  auto b = run(converted, {x});
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  // |dy| <= y_scale/2 (output rounding) + sum|w| * x_scale/2 (input rounding).
  const float bound = 0.01f / 2 + (30 * 0.005f + 127 * 0.005f) * (2.0f / 255) / 2 + 1e-5f;
  for (int64_t i = 0; i < (*a)[0].numel(); ++i) {
    EXPECT_NEAR((*a)[0].data<float>()[i], (*b)[0].data<float>()[i], bound) << i;
  }
}

TEST(Dequantize, ClipToRangeReproducesSaturation) {
  auto original = parse_model(qlinear_conv_model(128, 0.004f).bytes(), "test");
  ASSERT_TRUE(original.is_ok());
  onnx::ModelProto plain = *original, clipped = *original;
  ASSERT_TRUE(dequantize_model(&plain).is_ok());
  EXPECT_EQ(op_counts(plain).count("Relu"), 0u);  // zero point 128: a signed output, no ReLU
  DequantizeOptions options;
  options.clip_to_range = true;
  auto report = dequantize_model(&clipped, options);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->clips_added, 1);
  // Channel 1 would be 0.757 in fp32; the int8 output saturates at (255 - 128) * 0.004.
  Tensor x = Tensor::allocate(DataType::kFloat, {1, 2, 4, 4}).value();
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = 0.99f;
  auto a = run(*original, {x});
  auto c = run(clipped, {x});
  auto p = run(plain, {x});
  ASSERT_TRUE(a.is_ok() && c.is_ok() && p.is_ok());
  EXPECT_FLOAT_EQ((*a)[0].data<float>()[16], 127 * 0.004f);
  EXPECT_FLOAT_EQ((*c)[0].data<float>()[16], 127 * 0.004f);
  EXPECT_GT((*p)[0].data<float>()[16], 0.7f);
}

TEST(Dequantize, RefusesIntegerOpsNamingTheNode) {
  TestModel m(13);
  m.input("a", DataType::kUInt8, {2, 2});
  m.input("b", DataType::kUInt8, {2, 2});
  m.node("MatMulInteger", {"a", "b"}, {"y"});
  m.output("y");
  auto model = parse_model(m.bytes(), "test");
  ASSERT_TRUE(model.is_ok());
  auto r = dequantize_model(&*model);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("MatMulInteger 'MatMulInteger_1'"), std::string::npos) << r.status().message();
}

TEST(Dequantize, SharedMobileNetV2Int8) {
  FOGLINE_REQUIRE_SHARED("models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx");
  auto model = load_model((engine::testing::shared_dir() / "models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx").string());
  ASSERT_TRUE(model.is_ok());
  onnx::ModelProto original = *model;
  auto report = dequantize_model(&*model);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  auto ops = op_counts(*model);
  EXPECT_EQ(ops["Conv"], 52);
  EXPECT_EQ(ops["MatMul"], 1);
  EXPECT_EQ(ops["Add"], 11);
  EXPECT_EQ(ops["GlobalAveragePool"], 1);
  for (const auto& [op, n] : ops) EXPECT_EQ(op.find("QLinear"), std::string::npos) << op;
  EXPECT_EQ(ops.count("QuantizeLinear") + ops.count("DequantizeLinear"), 0u);
  // The same input through both: the fp32 network's logits follow the int8 network's.
  Tensor x = random_tensor({1, 3, 224, 224}, 11, -2.0f, 2.0f);
  auto a = run(original, {x});
  auto b = run(*model, {x});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  double dot = 0, na = 0, nb = 0;
  for (int64_t i = 0; i < (*a)[0].numel(); ++i) {
    double p = (*a)[0].data<float>()[i], q = (*b)[0].data<float>()[i];
    dot += p * q, na += p * p, nb += q * q;
  }
  EXPECT_GT(dot / std::sqrt(na * nb), 0.95);
}

}  // namespace
}  // namespace fogline::optimize
