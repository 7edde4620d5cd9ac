// What `fogline inspect` reports: parameters, FLOPs of the compute ops (hand-counted here),
// and the ops the engine cannot run.
#include "engine/model_stats.h"

#include <gtest/gtest.h>

#include "engine/model_builder.h"
#include "engine/onnx_import.h"

namespace fogline::engine {
namespace {

using testing::random_tensor;
using testing::set_attr;
using testing::TestModel;

ModelStats stats_of(const TestModel& m) {
  auto model = import_onnx_bytes(m.bytes(), ".");
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
  return model.is_ok() ? compute_model_stats(model->graph) : ModelStats{};
}

TEST(ModelStats, ConvMatMulAndGruFlopsAreCountedByHand) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 3, 8, 8});
  m.initializer("w", random_tensor({4, 3, 3, 3}, 1));  // 108 parameters
  auto& conv = m.node("Conv", {"x", "w"}, {"c"});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  // Conv: 2 * (1*4*8*8 outputs) * (3*3*3) = 13824
  m.node("Reshape", {"c", "shape"}, {"seq"});
  m.initializer("shape", Tensor::from_vector<int64_t>({3}, {16, 1, 16}));  // [steps, batch, input]
  m.initializer("gw", random_tensor({1, 3 * 5, 16}, 2)).initializer("gr", random_tensor({1, 3 * 5, 5}, 3));
  auto& gru = m.node("GRU", {"seq", "gw", "gr"}, {"y", "yh"});
  set_attr(gru, "hidden_size", int64_t{5});
  // GRU: 2 * 1 dir * 16 steps * 1 batch * 15 * (16 + 5) = 10080
  m.initializer("mw", random_tensor({5, 2}, 4));
  m.node("MatMul", {"yh", "mw"}, {"z"});  // [1,1,5] x [5,2]: 2 * 2 * 5 = 20
  m.output("z");
  ModelStats s = stats_of(m);
  EXPECT_TRUE(s.flops_complete);
  EXPECT_EQ(s.flops, 13824 + 10080 + 20);
  EXPECT_EQ(s.parameters, 108 + 3 + 240 + 75 + 10);
  EXPECT_EQ(s.op_histogram["GRU"], 1);
  EXPECT_TRUE(s.unsupported.empty());
}

TEST(ModelStats, UnknownShapesMakeFlopsIncompleteAndUnknownOpsAreListed) {
  TestModel m;
  m.import_domain("example.vendor", 1);
  m.input("a", DataType::kFloat, {2, 8});
  m.input("shape", DataType::kInt64, {2});  // a run-time shape: p's dims are unknown at load
  m.node("Reshape", {"a", "shape"}, {"r"});
  m.initializer("b", random_tensor({4, 4}, 5));
  m.node("MatMul", {"r", "b"}, {"p"});
  m.node("FancyOp", {"p"}, {"y"}, "example.vendor");
  const Shape y_shape{2, 4};
  m.output("y", DataType::kFloat, &y_shape);
  ModelStats s = stats_of(m);
  EXPECT_FALSE(s.flops_complete);
  ASSERT_EQ(s.unsupported.size(), 1u);
  EXPECT_NE(s.unsupported[0].find("FancyOp"), std::string::npos);
  EXPECT_NE(s.unsupported[0].find("example.vendor"), std::string::npos);
}

}  // namespace
}  // namespace fogline::engine
