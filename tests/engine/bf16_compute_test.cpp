// bf16-compute: with the model's hint (or SessionOptions::precision) the convolutions compute
// in bfloat16 and the layout regions hold bf16 activations; the result stays within bf16's
// rounding of the fp32 reference, layers named in fogline.fp32_nodes stay fp32, and without
// the hint nothing changes. Needs a CPU with AVX512_BF16 or AMX (skips elsewhere).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/session.h"
#include "model_builder.h"

namespace fogline::engine {
namespace {

using testing::random_tensor;
using testing::set_attr;
using testing::TestModel;

std::string conv(TestModel& m, const std::string& x, const std::string& y, int64_t ic, int64_t oc, int64_t k,
                 uint32_t seed, int64_t group = 1) {
  m.initializer(y + "_w", random_tensor({oc, ic / group, k, k}, seed, -0.3f, 0.3f));
  m.initializer(y + "_b", random_tensor({oc}, seed + 1));
  auto& n = m.node("Conv", {x, y + "_w", y + "_b"}, {y});
  set_attr(n, "pads", std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2});
  if (group > 1) set_attr(n, "group", group);
  return n.name();
}

// Conv -> Relu -> MaxPool -> depthwise Conv -> Conv + residual Add -> Concat -> SE Mul ->
// Conv -> GlobalAveragePool -> Flatten -> Gemm: every kind of region node. Returns the names
// of the convolutions in order, then the Gemm's.
std::vector<std::string> build(TestModel& m) {
  std::vector<std::string> convs;
  m.input("x", DataType::kFloat, {1, 3, 24, 24});
  convs.push_back(conv(m, "x", "c1", 3, 32, 3, 1));
  m.node("Relu", {"c1"}, {"r1"});
  auto& mp = m.node("MaxPool", {"r1"}, {"p1"});
  set_attr(mp, "kernel_shape", std::vector<int64_t>{2, 2});
  set_attr(mp, "strides", std::vector<int64_t>{2, 2});
  convs.push_back(conv(m, "p1", "d2", 32, 32, 3, 3, /*group=*/32));
  convs.push_back(conv(m, "d2", "c3", 32, 32, 1, 5));
  m.node("Add", {"c3", "p1"}, {"a3"});
  set_attr(m.node("Concat", {"a3", "d2"}, {"cat"}), "axis", int64_t{1});
  m.node("GlobalAveragePool", {"cat"}, {"sq"});
  m.node("Sigmoid", {"sq"}, {"se"});
  m.node("Mul", {"cat", "se"}, {"scaled"});
  convs.push_back(conv(m, "scaled", "c4", 64, 48, 3, 7));
  m.node("GlobalAveragePool", {"c4"}, {"g"});
  m.node("Flatten", {"g"}, {"f"});
  m.initializer("fc_w", random_tensor({10, 48}, 9));
  m.initializer("fc_b", random_tensor({10}, 10));
  auto& gemm = m.node("Gemm", {"f", "fc_w", "fc_b"}, {"y"});
  set_attr(gemm, "transB", int64_t{1});
  convs.push_back(gemm.name());  // constant weights: bf16 too
  m.output("y");
  return convs;
}

void add_metadata(TestModel& m, const std::string& key, const std::string& value) {
  auto* kv = m.proto().add_metadata_props();
  kv->set_key(key);
  kv->set_value(value);
}

std::unique_ptr<Session> open(const TestModel& m, const std::string& precision) {
  SessionOptions o;
  o.threads = 1;
  o.precision = precision;
  auto s = m.session(o);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

const Node* node_named(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes) if (n.name == name) return &n;
  return nullptr;
}

std::string layout_of(const Graph& g, const std::string& value) {
  const int id = g.find_value(value);
  return id < 0 ? "<none>" : g.values[static_cast<size_t>(id)].layout;
}

// Largest |a - b| over the largest |b|.
double relative_gap(const Tensor& a, const Tensor& b) {
  double gap = 0, scale = 0;
  for (int64_t i = 0; i < b.numel(); ++i) {
    gap = std::max(gap, std::fabs(a.value_as_double(i) - b.value_as_double(i)));
    scale = std::max(scale, std::fabs(b.value_as_double(i)));
  }
  return gap / std::max(scale, 1e-12);
}

class Bf16Compute : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cpu_runs_bf16()) GTEST_SKIP() << "this CPU has no AVX512_BF16/AMX";
  }
};

TEST_F(Bf16Compute, RunsTheRegionInBf16WithinItsRounding) {
  TestModel m;
  const auto convs = build(m);
  auto fp32 = open(m, "");
  auto bf16 = open(m, "bf16");
  ASSERT_TRUE(fp32 && bf16);
  for (const auto& c : convs) {
    EXPECT_FALSE(node_named(fp32->graph(), c)->compute_bf16) << c;
    EXPECT_TRUE(node_named(bf16->graph(), c)->compute_bf16) << c;
  }
  EXPECT_EQ(layout_of(bf16->graph(), "p1"), "nhwc:bf16");  // written by a pool, read by convs
  EXPECT_EQ(layout_of(bf16->graph(), "d2"), "nhwc:bf16");
  EXPECT_EQ(layout_of(bf16->graph(), "scaled"), "nhwc");  // the per-channel Mul computes fp32
  EXPECT_EQ(layout_of(bf16->graph(), "x"), "");            // graph input and output stay fp32
  EXPECT_EQ(layout_of(bf16->graph(), "y"), "");

  const Tensor x = random_tensor({1, 3, 24, 24}, 42);
  auto want = fp32->run({x});
  auto got = bf16->run({x});
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  ASSERT_EQ(got->at(0).shape(), want->at(0).shape());
  ASSERT_EQ(got->at(0).dtype(), DataType::kFloat);
  const double gap = relative_gap(got->at(0), want->at(0));
  // bf16 keeps 8 significant bits (relative rounding 2^-9) over four layers of rounding.
  EXPECT_LT(gap, 3e-2);
  EXPECT_GT(gap, 0) << "identical to fp32: the bf16 kernels did not run";
}

TEST_F(Bf16Compute, TheModelsHintTurnsItOnAndNamedLayersStayFp32) {
  TestModel m;
  const auto convs = build(m);
  add_metadata(m, kComputePrecisionKey, "bf16");
  add_metadata(m, kFp32NodesKey, convs[2] + "," + convs[3]);
  auto s = open(m, "");
  ASSERT_TRUE(s);
  EXPECT_TRUE(node_named(s->graph(), convs[0])->compute_bf16);
  EXPECT_TRUE(node_named(s->graph(), convs[1])->compute_bf16);
  EXPECT_FALSE(node_named(s->graph(), convs[2])->compute_bf16);
  EXPECT_FALSE(node_named(s->graph(), convs[3])->compute_bf16);
  EXPECT_EQ(layout_of(s->graph(), "a3"), "nhwc");  // an fp32 convolution (+ Add) writes fp32
  auto ref = open(m, "fp32");                      // the option overrides the hint
  ASSERT_TRUE(ref);
  for (const auto& c : convs) EXPECT_FALSE(node_named(ref->graph(), c)->compute_bf16) << c;

  const Tensor x = random_tensor({1, 3, 24, 24}, 43);
  auto want = ref->run({x});
  auto got = s->run({x});
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_LT(relative_gap(got->at(0), want->at(0)), 3e-2);
}

TEST(Bf16ComputeOption, AnUnknownPrecisionIsRefusedByName) {
  TestModel m;
  build(m);
  SessionOptions o;
  o.precision = "fp8";
  auto s = m.session(o);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("'fp8'"), std::string::npos) << s.status().message();
}

}  // namespace
}  // namespace fogline::engine
