// A dequantised MobileNetV2 block, as `fogline convert --dequantize --clip-to-range` and
// bench/int8_variants.py write it: every Conv and residual Add followed by a Clip whose bounds
// are initializer inputs (opset 11+), and a symbolic batch. The Clips must become oneDNN
// post-ops (Conv -> Clip, and Conv -> Clip -> Add -> Clip as clip + sum + clip), the block
// must stay in the NHWC region although its batch is symbolic, and every variant must give
// the outputs of the unfused graph.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/passes/pass.h"
#include "model_builder.h"

namespace fogline::engine {
namespace {

using testing::random_tensor;
using testing::set_attr;
using testing::TestModel;

// The passes that together fuse the Clips and lay the block out in NHWC.
const std::set<std::string> kFusionPasses = {"fuse-activation", "fuse-add", "fuse-activation-after-add",
                                             "onednn-layout"};

std::unique_ptr<Session> open_dequantised(const TestModel& m, bool reference_only,
                                          std::set<std::string> disabled = {}) {
  SessionOptions opts;
  opts.reference_only = reference_only;
  opts.threads = 1;
  opts.disabled_passes = std::move(disabled);
  auto s = m.session(opts);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

void expect_near_outputs(const std::vector<Tensor>& got, const std::vector<Tensor>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t o = 0; o < got.size(); ++o) {
    ASSERT_EQ(got[o].shape(), want[o].shape()) << "output " << o;
    for (int64_t i = 0; i < got[o].numel(); ++i) {
      const double a = got[o].value_as_double(i), b = want[o].value_as_double(i);
      ASSERT_NEAR(a, b, 1e-4 * std::max(1.0, std::fabs(b))) << "output " << o << " element " << i;
    }
  }
}

std::string node_ops(const Graph& g) {
  std::string s;
  for (const Node& n : g.nodes) s += (s.empty() ? "" : ",") + n.op_type;
  return s;
}

// y = Clip(x, lo, hi) with the bounds as scalar initializers.
void range_clip(TestModel& m, const std::string& x, const std::string& y, float lo, float hi) {
  m.initializer(y + "_lo", Tensor::scalar<float>(lo)).initializer(y + "_hi", Tensor::scalar<float>(hi));
  m.node("Clip", {x, y + "_lo", y + "_hi"}, {y});
}

void block_conv(TestModel& m, const std::string& x, const std::string& y, int64_t ic, int64_t oc, int64_t k,
                uint32_t seed, int64_t group = 1) {
  m.initializer(y + "_w", random_tensor({oc, ic / group, k, k}, seed, -0.4f, 0.4f));
  m.initializer(y + "_b", random_tensor({oc}, seed + 1, -0.2f, 0.2f));
  auto& n = m.node("Conv", {x, y + "_w", y + "_b"}, {y});
  set_attr(n, "pads", std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2});
  if (group > 1) set_attr(n, "group", group);
}

// x[batch,8,9,9] -> stem Conv 3x3 -> Clip -> expand 1x1 -> Clip(0, 6) -> depthwise 3x3
// -> Clip(0, 6) -> project 1x1 -> Clip -> Add(stem) -> Clip -> head 1x1 -> y.
// The bounds are tight enough that every Clip cuts some values.
TestModel dequantised_block(bool symbolic_batch) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 8, 9, 9});
  if (symbolic_batch) {
    m.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()
        ->mutable_dim(0)->set_dim_param("batch_size");
  }
  block_conv(m, "x", "stem", 8, 8, 3, 1);
  range_clip(m, "stem", "stem_q", -0.6f, 0.5f);
  block_conv(m, "stem_q", "expand", 8, 24, 1, 3);
  range_clip(m, "expand", "expand_q", 0.0f, 0.4f);
  block_conv(m, "expand_q", "dw", 24, 24, 3, 5, /*group=*/24);
  range_clip(m, "dw", "dw_q", 0.0f, 0.3f);
  block_conv(m, "dw_q", "project", 24, 8, 1, 7);
  range_clip(m, "project", "project_q", -0.25f, 0.3f);
  m.node("Add", {"stem_q", "project_q"}, {"sum"});
  range_clip(m, "sum", "sum_q", -0.5f, 0.45f);
  block_conv(m, "sum_q", "y", 8, 4, 1, 9);
  m.output("y", DataType::kFloat);
  return m;
}

// Every value the block computes and the head reads inside the block.
const char* const kInnerValues[] = {"stem_q", "expand_q", "dw_q", "sum_q"};

TEST(DequantisedFusion, ConvClipAndConvAddClipBecomePostOps) {
  for (bool symbolic : {false, true}) {
    SCOPED_TRACE(symbolic ? "symbolic batch" : "static batch");
    auto s = open_dequantised(dequantised_block(symbolic), false);
    ASSERT_TRUE(s);
    const Graph& g = s->graph();
    ASSERT_EQ(node_ops(g), "Conv,Conv,Conv,Conv,Conv");
    // stem, expand and the depthwise conv: one clip each.
    for (int i : {0, 1, 2}) {
      ASSERT_EQ(g.nodes[static_cast<size_t>(i)].post_ops.size(), 1u) << "node " << i;
      EXPECT_EQ(g.nodes[static_cast<size_t>(i)].post_ops[0].kind, PostOp::Kind::kClip);
    }
    // project: its own range, the residual Add, then the sum's range.
    const auto& post = g.nodes[3].post_ops;
    ASSERT_EQ(post.size(), 3u);
    EXPECT_EQ(post[0].kind, PostOp::Kind::kClip);
    EXPECT_FLOAT_EQ(post[0].alpha, -0.25f);
    EXPECT_FLOAT_EQ(post[0].beta, 0.3f);
    EXPECT_EQ(post[1].kind, PostOp::Kind::kAdd);
    EXPECT_EQ(post[2].kind, PostOp::Kind::kClip);
    EXPECT_FLOAT_EQ(post[2].alpha, -0.5f);
    EXPECT_FLOAT_EQ(post[2].beta, 0.45f);
    EXPECT_TRUE(g.nodes[4].post_ops.empty());
  }
}

TEST(DequantisedFusion, SymbolicBatchStaysInTheNhwcRegion) {
  auto s = open_dequantised(dequantised_block(true), false);
  ASSERT_TRUE(s);
  const Graph& g = s->graph();
  for (const char* name : kInnerValues) {
    const int id = g.find_value(name);
    ASSERT_GE(id, 0) << name;
    EXPECT_EQ(g.values[static_cast<size_t>(id)].layout, "nhwc") << name;
  }
  const int y = g.find_value("y");
  ASSERT_GE(y, 0);
  EXPECT_EQ(g.values[static_cast<size_t>(y)].layout, "");  // a graph output stays plain
}

// The fused, NHWC run equals the run with the fusion and layout passes off and the reference
// kernels' run, at two batch sizes through one session (the symbolic batch builds a primitive
// per run-time shape).
TEST(DequantisedFusion, FusedOutputsEqualTheUnfusedRun) {
  for (bool symbolic : {false, true}) {
    SCOPED_TRACE(symbolic ? "symbolic batch" : "static batch");
    const TestModel m = dequantised_block(symbolic);
    auto fused = open_dequantised(m, false);
    auto unfused = open_dequantised(m, false, kFusionPasses);
    auto reference = open_dequantised(m, true, kFusionPasses);
    ASSERT_TRUE(fused && unfused && reference);
    EXPECT_EQ(node_ops(unfused->graph()), "Conv,Clip,Conv,Clip,Conv,Clip,Conv,Clip,Add,Clip,Conv");
    std::vector<int64_t> batches = {1};
    if (symbolic) batches = {2, 1, 3, 0};  // 0: the tagged kernels hand empty tensors to the reference
    for (int64_t n : batches) {
      SCOPED_TRACE("batch " + std::to_string(n));
      const std::vector<Tensor> in = {random_tensor({n, 8, 9, 9}, 100 + static_cast<uint32_t>(n))};
      auto got = fused->run(in);
      auto want = unfused->run(in);
      auto ref = reference->run(in);
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      ASSERT_TRUE(want.is_ok()) << want.status().to_string();
      ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
      expect_near_outputs(*got, *want);
      expect_near_outputs(*got, *ref);
    }
  }
}

// A Clip whose bounds are not constant, or are given in the wrong order, stays a Clip and
// still runs (outside the fused chain) with the same result.
TEST(DequantisedFusion, ClipWithRuntimeOrReversedBoundsStays) {
  for (bool runtime_bound : {true, false}) {
    SCOPED_TRACE(runtime_bound ? "run-time max" : "min > max");
    TestModel m(13);
    m.input("x", DataType::kFloat, {1, 8, 9, 9});
    m.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()
        ->mutable_dim(0)->set_dim_param("batch_size");
    if (runtime_bound) m.input("hi", DataType::kFloat, {});
    block_conv(m, "x", "c", 8, 8, 1, 11);
    m.initializer("lo", Tensor::scalar<float>(runtime_bound ? -0.1f : 0.3f));
    if (!runtime_bound) m.initializer("hi", Tensor::scalar<float>(0.1f));
    m.node("Clip", {"c", "lo", "hi"}, {"cq"});
    block_conv(m, "cq", "y", 8, 4, 1, 13);
    m.output("y", DataType::kFloat);
    auto fused = open_dequantised(m, false);
    auto reference = open_dequantised(m, true);
    ASSERT_TRUE(fused && reference);
    EXPECT_EQ(node_ops(fused->graph()), "Conv,Clip,Conv");
    std::vector<Tensor> in = {random_tensor({2, 8, 9, 9}, 15)};
    if (runtime_bound) in.push_back(Tensor::scalar<float>(0.2f));
    auto got = fused->run(in);
    auto want = reference->run(in);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    ASSERT_TRUE(want.is_ok()) << want.status().to_string();
    expect_near_outputs(*got, *want);
  }
}

// oneDNN 2.6 keeps one eltwise injector per algorithm in a fused chain, so Conv -> Clip -> Add
// -> Clip with two different ranges (clip, sum, clip) used the first range twice: the
// second step must be spelled with another algorithm. Likewise LeakyRelu -> Add -> Relu (two
// relus with different slopes). Checked on the plain path (a 1x1 conv as a matmul with binary
// adds) and inside the NHWC region (a convolution with a sum post-op).
TEST(DequantisedFusion, RepeatedEltwiseAlgorithmsKeepTheirOwnParameters) {
  for (bool tagged : {false, true}) {
    for (bool leaky : {false, true}) {
      SCOPED_TRACE(std::string(tagged ? "NHWC region" : "plain") + (leaky ? ", LeakyRelu/Relu" : ", Clip/Clip"));
      TestModel m(13);
      m.input("x", DataType::kFloat, {1, 8, 6, 6});
      std::string in = "x";
      if (tagged) {  // a producer and a consumer conv put the fused conv inside the region
        block_conv(m, "x", "pre", 8, 8, 3, 21);
        in = "pre";
      }
      block_conv(m, in, "c", 8, 8, 1, 23);
      if (leaky) {
        auto& lr = m.node("LeakyRelu", {"c"}, {"cq"});
        set_attr(lr, "alpha", 0.2f);
      } else {
        range_clip(m, "c", "cq", -0.25f, 0.3f);
      }
      m.node("Add", {in, "cq"}, {"s"});
      if (leaky) {
        m.node("Relu", {"s"}, {"sq"});
      } else {
        range_clip(m, "s", "sq", -0.5f, 0.45f);
      }
      if (tagged) {
        block_conv(m, "sq", "y", 8, 4, 1, 25);
      } else {
        m.node("Identity", {"sq"}, {"y"});
      }
      m.output("y", DataType::kFloat);
      auto fused = open_dequantised(m, false);
      auto reference = open_dequantised(m, true, kFusionPasses);
      ASSERT_TRUE(fused && reference);
      const int c = fused->graph().find_value("sq");
      ASSERT_GE(c, 0);
      EXPECT_EQ(fused->graph().values[static_cast<size_t>(c)].layout, tagged ? "nhwc" : "");
      bool three_step_chain = false;
      for (const Node& n : fused->graph().nodes) three_step_chain = three_step_chain || n.post_ops.size() == 3;
      EXPECT_TRUE(three_step_chain) << node_ops(fused->graph());
      const std::vector<Tensor> in_data = {random_tensor({1, 8, 6, 6}, 27, -2.f, 2.f)};
      auto got = fused->run(in_data);
      auto want = reference->run(in_data);
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      ASSERT_TRUE(want.is_ok()) << want.status().to_string();
      expect_near_outputs(*got, *want);
    }
  }
}

}  // namespace
}  // namespace fogline::engine
