#include "optimize/dynamic_quantizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/model_builder.h"
#include "optimize/onnx_model.h"

namespace fogline::optimize {
namespace {

using engine::DataType;
using engine::Tensor;
using engine::testing::random_tensor;
using engine::testing::TestModel;

TEST(DynamicQuantizer, MatMulBecomesMatMulIntegerWithinQuantisationError) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {4, 32});
  m.initializer("w1", random_tensor({32, 16}, 1, -0.3f, 0.3f));
  m.initializer("w2", random_tensor({16, 8}, 2, -0.3f, 0.3f));
  m.node("MatMul", {"x", "w1"}, {"h"}).set_name("fc1");
  m.node("Tanh", {"h"}, {"t"}).set_name("act");
  m.node("MatMul", {"t", "w2"}, {"y"}).set_name("fc2");
  m.output("y");
  onnx::ModelProto fp32 = parse_model(m.bytes(), "mlp").value(), q = fp32;
  auto report = quantize_dynamic(&q);
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->matmuls, 2);
  std::map<std::string, int> ops;
  for (const auto& n : q.graph().node()) ops[n.op_type()]++;
  EXPECT_EQ(ops, (std::map<std::string, int>{{"Cast", 2}, {"DynamicQuantizeLinear", 2}, {"MatMulInteger", 2}, {"Mul", 4}, {"Tanh", 1}}));
  auto a = engine::Session::from_bytes(fp32.SerializeAsString());
  auto b = engine::Session::from_bytes(q.SerializeAsString());
  ASSERT_TRUE(a.is_ok());
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  Tensor x = random_tensor({4, 32}, 3, -2.0f, 2.0f);
  auto ya = (*a)->run({x});
  auto yb = (*b)->run({x});
  ASSERT_TRUE(ya.is_ok() && yb.is_ok());
  double max_abs = 0, max_diff = 0;
  for (int64_t i = 0; i < (*ya)[0].numel(); ++i) {
    max_abs = std::max(max_abs, std::fabs(static_cast<double>((*ya)[0].data<float>()[i])));
    max_diff = std::max(max_diff, std::fabs(static_cast<double>((*ya)[0].data<float>()[i] - (*yb)[0].data<float>()[i])));
  }
  EXPECT_GT(max_diff, 0.0);  // it really is quantised
  EXPECT_LT(max_diff, 0.03 * max_abs);
}

TEST(DynamicQuantizer, KeepsMatMulsWithoutAConstantWeight) {
  TestModel m(13);
  m.input("a", DataType::kFloat, {2, 3});
  m.input("b", DataType::kFloat, {3, 2});
  m.node("MatMul", {"a", "b"}, {"y"}).set_name("mm");
  m.output("y");
  onnx::ModelProto q = parse_model(m.bytes(), "mm").value();
  auto report = quantize_dynamic(&q);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->matmuls, 0);
  EXPECT_EQ(report->kept_fp32, std::vector<std::string>{"mm"});
}

}  // namespace
}  // namespace fogline::optimize
