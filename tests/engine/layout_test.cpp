// onednn-layout: which values it tags (only those written and read by layout-aware oneDNN
// nodes, never graph outputs or values other kernels read), and that tagged chains give the
// reference kernels' results.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "engine/session.h"
#include "model_builder.h"

namespace fogline::engine {
namespace {

using testing::random_tensor;
using testing::set_attr;
using testing::TestModel;

std::unique_ptr<Session> open(const TestModel& m, bool reference_only, std::set<std::string> disabled = {}) {
  SessionOptions opts;
  opts.reference_only = reference_only;
  opts.threads = 2;
  opts.disabled_passes = std::move(disabled);
  auto s = m.session(opts);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

void expect_close(const std::vector<Tensor>& got, const std::vector<Tensor>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t o = 0; o < got.size(); ++o) {
    ASSERT_EQ(got[o].shape(), want[o].shape()) << "output " << o;
    for (int64_t i = 0; i < got[o].numel(); ++i) {
      double a = got[o].value_as_double(i), b = want[o].value_as_double(i);
      ASSERT_NEAR(a, b, 1e-4 * std::max(1.0, std::fabs(b))) << "output " << o << " element " << i;
    }
  }
}

// Runs the model on the reference kernels and on oneDNN with the layout pass; returns the
// latter for assertions on the graph.
std::unique_ptr<Session> check_against_reference(const TestModel& m, const std::vector<Tensor>& inputs) {
  auto ref = open(m, true);
  auto fast = open(m, false);
  if (!ref || !fast) return nullptr;
  auto want = ref->run(inputs);
  auto got = fast->run(inputs);
  EXPECT_TRUE(want.is_ok()) << want.status().to_string();
  EXPECT_TRUE(got.is_ok()) << got.status().to_string();
  if (want.is_ok() && got.is_ok()) expect_close(*got, *want);
  return fast;
}

std::string layout_of(const Session& s, const std::string& value) {
  const Graph& g = s.graph();
  int id = g.find_value(value);
  return id < 0 ? "<none>" : g.values[static_cast<size_t>(id)].layout;
}

void conv(TestModel& m, const std::string& x, const std::string& y, int64_t ic, int64_t oc, int64_t k,
          uint32_t seed, int64_t group = 1, int64_t stride = 1) {
  m.initializer(y + "_w", random_tensor({oc, ic / group, k, k}, seed, -0.3f, 0.3f));
  m.initializer(y + "_b", random_tensor({oc}, seed + 1));
  auto& n = m.node("Conv", {x, y + "_w", y + "_b"}, {y});
  set_attr(n, "pads", std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2});
  set_attr(n, "strides", std::vector<int64_t>{stride, stride});
  if (group > 1) set_attr(n, "group", group);
}

// x -> Conv -> Relu -> MaxPool -> Conv -> Relu -> Conv (+ residual Add) -> Relu
//   -> GlobalAveragePool -> Flatten -> Gemm
TEST(OnednnLayout, ResidualChainMatchesReference) {
  TestModel m;
  m.input("x", DataType::kFloat, {2, 3, 20, 20});
  conv(m, "x", "c1", 3, 16, 3, 1);
  m.node("Relu", {"c1"}, {"r1"});
  auto& mp = m.node("MaxPool", {"r1"}, {"p1"});
  set_attr(mp, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(mp, "strides", std::vector<int64_t>{2, 2});
  set_attr(mp, "pads", std::vector<int64_t>{1, 1, 1, 1});
  conv(m, "p1", "c2", 16, 16, 3, 3);
  m.node("Relu", {"c2"}, {"r2"});
  conv(m, "r2", "c3", 16, 16, 1, 5);
  m.node("Add", {"c3", "p1"}, {"a3"});
  m.node("Relu", {"a3"}, {"r3"});
  m.node("GlobalAveragePool", {"r3"}, {"g"});
  m.node("Flatten", {"g"}, {"f"});
  m.initializer("fc_w", random_tensor({10, 16}, 7));
  m.initializer("fc_b", random_tensor({10}, 8));
  auto& gemm = m.node("Gemm", {"f", "fc_w", "fc_b"}, {"y"});
  set_attr(gemm, "transB", int64_t{1});
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({2, 3, 20, 20}, 11)});
  ASSERT_TRUE(s);
  // Inside the region: tagged. The GlobalAveragePool output feeds Flatten: plain.
  EXPECT_EQ(layout_of(*s, "p1"), "nhwc");
  EXPECT_EQ(layout_of(*s, "g"), "");
  EXPECT_EQ(layout_of(*s, "x"), "");
  for (const Value& v : s->graph().values) {
    if (v.producer < 0) {
      EXPECT_EQ(v.layout, "") << v.name;
    }
  }
}

// Depthwise (group == channels) and pointwise convs with Clip (ReLU6), MobileNet style.
TEST(OnednnLayout, DepthwiseChainMatchesReference) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 8, 15, 15});
  conv(m, "x", "e", 8, 24, 1, 1);
  m.initializer("lo", Tensor::scalar<float>(0.f));
  m.initializer("hi", Tensor::scalar<float>(6.f));
  m.node("Clip", {"e", "lo", "hi"}, {"e6"});
  conv(m, "e6", "d", 24, 24, 3, 3, /*group=*/24, /*stride=*/2);
  m.node("Clip", {"d", "lo", "hi"}, {"d6"});
  conv(m, "d6", "p", 24, 8, 1, 5);
  auto& ap = m.node("AveragePool", {"p"}, {"y"});
  set_attr(ap, "kernel_shape", std::vector<int64_t>{2, 2});
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({1, 8, 15, 15}, 21)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "p"), "nhwc");
  EXPECT_EQ(layout_of(*s, "y"), "");  // a graph output
}

// SqueezeNet's Fire module: squeeze 1x1, expand 1x1 and 3x3, Concat along channels, and an
// input from outside the region (the graph input) concatenated too.
TEST(OnednnLayout, ChannelConcatStaysInTheRegion) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 8, 9, 9});
  conv(m, "x", "s", 8, 4, 1, 1);
  conv(m, "s", "e1", 4, 6, 1, 2);
  conv(m, "s", "e3", 4, 6, 3, 3);
  auto& cat = m.node("Concat", {"e1", "e3", "x"}, {"c"});
  set_attr(cat, "axis", int64_t{1});
  conv(m, "c", "y", 20, 5, 1, 4);
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({1, 8, 9, 9}, 22)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "e1"), "nhwc");
  EXPECT_EQ(layout_of(*s, "e3"), "nhwc");
  EXPECT_EQ(layout_of(*s, "c"), "nhwc");
  EXPECT_EQ(layout_of(*s, "x"), "");
}

// YOLOX's Focus: strided slices of the image (plain) concatenated for a conv (NHWC): the
// concat works in the plain layout and reorders its result once.
TEST(OnednnLayout, ConcatOfPlainInputsFeedingTheRegion) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 3, 8, 8});
  m.initializer("s0", Tensor::from_vector<int64_t>({2}, {0, 0}));
  m.initializer("s1", Tensor::from_vector<int64_t>({2}, {1, 0}));
  m.initializer("e", Tensor::from_vector<int64_t>({2}, {8, 8}));
  m.initializer("axes", Tensor::from_vector<int64_t>({2}, {2, 3}));
  m.initializer("steps", Tensor::from_vector<int64_t>({2}, {2, 2}));
  m.node("Slice", {"x", "s0", "e", "axes", "steps"}, {"a"});
  m.node("Slice", {"x", "s1", "e", "axes", "steps"}, {"b"});
  auto& cat = m.node("Concat", {"a", "b"}, {"c"});
  set_attr(cat, "axis", int64_t{1});
  conv(m, "c", "y", 6, 4, 3, 35);
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({1, 3, 8, 8}, 24)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "a"), "");
  EXPECT_EQ(layout_of(*s, "c"), "nhwc");
}

// A YOLO neck: conv, standalone activation, nearest 2x upsampling, conv; all NHWC.
TEST(OnednnLayout, UpsamplingAndStandaloneActivationsStayInTheRegion) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 4, 6, 6});
  conv(m, "x", "c", 4, 8, 3, 36);
  m.node("Relu", {"c"}, {"r"});
  m.node("Relu", {"r"}, {"r2"});  // the first fuses into the conv; this one stays standalone
  m.initializer("roi", Tensor::from_vector<float>({0}, {}));
  m.initializer("scales", Tensor::from_vector<float>({4}, {1, 1, 2, 2}));
  auto& up = m.node("Resize", {"r2", "roi", "scales"}, {"u"});
  set_attr(up, "mode", std::string("nearest"));
  set_attr(up, "coordinate_transformation_mode", std::string("asymmetric"));
  set_attr(up, "nearest_mode", std::string("floor"));
  conv(m, "u", "y", 8, 4, 3, 37);
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({1, 4, 6, 6}, 25)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "r2"), "nhwc");
  EXPECT_EQ(layout_of(*s, "u"), "nhwc");
}

// ShuffleNet v2's unit: Concat, channel shuffle, split in halves, one half through 1x1 and
// depthwise convs; all of it stays NHWC.
TEST(OnednnLayout, ShuffleAndChannelSplitStayInTheRegion) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 8, 7, 7});
  conv(m, "x", "a", 8, 8, 1, 31);
  conv(m, "x", "b", 8, 8, 1, 32);
  auto& cat = m.node("Concat", {"a", "b"}, {"c"});
  set_attr(cat, "axis", int64_t{1});
  m.initializer("split_shape", Tensor::from_vector<int64_t>({5}, {1, 2, 8, 7, 7}));
  m.initializer("merge_shape", Tensor::from_vector<int64_t>({4}, {1, 16, 7, 7}));
  m.node("Reshape", {"c", "split_shape"}, {"r"});
  auto& t = m.node("Transpose", {"r"}, {"t"});
  set_attr(t, "perm", std::vector<int64_t>{0, 2, 1, 3, 4});
  m.node("Reshape", {"t", "merge_shape"}, {"s"});
  m.initializer("zero", Tensor::from_vector<int64_t>({1}, {0}));
  m.initializer("half", Tensor::from_vector<int64_t>({1}, {8}));
  m.initializer("end", Tensor::from_vector<int64_t>({1}, {16}));
  m.initializer("axis1", Tensor::from_vector<int64_t>({1}, {1}));
  m.node("Slice", {"s", "zero", "half", "axis1"}, {"s1"});
  m.node("Slice", {"s", "half", "end", "axis1"}, {"s2"});
  conv(m, "s2", "d", 8, 8, 3, 33, /*group=*/8);
  auto& cat2 = m.node("Concat", {"s1", "d"}, {"c2"});
  set_attr(cat2, "axis", int64_t{1});
  conv(m, "c2", "y", 16, 4, 1, 34);
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({1, 8, 7, 7}, 23)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "c"), "nhwc");
  EXPECT_EQ(layout_of(*s, "s"), "nhwc");
  EXPECT_EQ(layout_of(*s, "s1"), "nhwc");
  EXPECT_EQ(layout_of(*s, "s2"), "nhwc");
  EXPECT_EQ(layout_of(*s, "c2"), "nhwc");
}

// Grouped convs with few channels per group (for some of these oneDNN has only its naive
// NHWC kernel, and the Conv kernel then reorders around a blocked one).
TEST(OnednnLayout, GroupedConvChainMatchesReference) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 16, 14, 14});
  conv(m, "x", "a", 16, 208, 1, 1);
  m.node("Relu", {"a"}, {"ar"});
  conv(m, "ar", "b", 208, 208, 3, 3, /*group=*/26);  // RegNet's shape
  m.node("Relu", {"b"}, {"br"});
  conv(m, "br", "c", 208, 16, 1, 5);
  m.node("Add", {"c", "x"}, {"y"});
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({1, 16, 14, 14}, 51)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "br"), "nhwc");
}

// Squeeze-and-excitation: x * Sigmoid(Conv(Relu(Conv(GlobalAveragePool(x))))) keeps x and the
// product in NHWC (the Mul runs on ops/dnnl/channel_scale.cpp); either operand order.
TEST(OnednnLayout, SqueezeExcitationMatchesReference) {
  for (bool scale_first : {false, true}) {
    SCOPED_TRACE(scale_first ? "Mul(scale, x)" : "Mul(x, scale)");
    TestModel m;
    m.input("in", DataType::kFloat, {2, 8, 7, 7});
    conv(m, "in", "x", 8, 16, 3, 1);
    m.node("GlobalAveragePool", {"x"}, {"g"});
    conv(m, "g", "r", 16, 4, 1, 3);
    m.node("Relu", {"r"}, {"rr"});
    conv(m, "rr", "e", 4, 16, 1, 5);
    m.node("Sigmoid", {"e"}, {"se"});
    m.node("Mul", scale_first ? std::vector<std::string>{"se", "x"} : std::vector<std::string>{"x", "se"}, {"m"});
    conv(m, "m", "y", 16, 8, 1, 7);
    m.output("y");
    auto s = check_against_reference(m, {random_tensor({2, 8, 7, 7}, 61)});
    ASSERT_TRUE(s);
    EXPECT_EQ(layout_of(*s, "x"), "nhwc");
    EXPECT_EQ(layout_of(*s, "m"), "nhwc");
  }
}

// The SE Mul at a region boundary: its activation is plain (a graph input), its product
// tagged; and a product that is a graph output stays plain.
TEST(OnednnLayout, ChannelScaleAtRegionBoundaries) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 16, 5, 5});
  m.input("s", DataType::kFloat, {1, 16, 1, 1});
  m.node("Mul", {"x", "s"}, {"m"});
  conv(m, "m", "c", 16, 16, 3, 1);
  m.node("Mul", {"c", "s"}, {"y"});
  m.output("y");
  auto s = check_against_reference(m, {random_tensor({1, 16, 5, 5}, 71), random_tensor({1, 16, 1, 1}, 72)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "m"), "nhwc");
  EXPECT_EQ(layout_of(*s, "c"), "nhwc");
  EXPECT_EQ(layout_of(*s, "y"), "");
}

// A value another kind of kernel reads (here Sigmoid, not fused) stays plain.
TEST(OnednnLayout, ValueWithAnOutsideReaderStaysPlain) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 4, 6, 6});
  conv(m, "x", "a", 4, 4, 3, 1);
  conv(m, "a", "b", 4, 4, 3, 3);
  m.node("Softmax", {"a"}, {"s"});
  m.output("b");
  m.output("s");
  auto s = check_against_reference(m, {random_tensor({1, 4, 6, 6}, 31)});
  ASSERT_TRUE(s);
  EXPECT_EQ(layout_of(*s, "a"), "");
}

TEST(OnednnLayout, OffForReferenceKernelsAndWhenDisabled) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 4, 6, 6});
  conv(m, "x", "a", 4, 4, 3, 1);
  conv(m, "a", "b", 4, 4, 3, 3);
  m.output("b");
  auto ref = open(m, true);
  ASSERT_TRUE(ref);
  EXPECT_EQ(layout_of(*ref, "a"), "");
  auto off = open(m, false, {"onednn-layout"});
  ASSERT_TRUE(off);
  EXPECT_EQ(layout_of(*off, "a"), "");
  auto on = open(m, false);
  ASSERT_TRUE(on);
  EXPECT_EQ(layout_of(*on, "a"), "nhwc");
}

// The bench models (when present): same outputs with and without the pass.
TEST(OnednnLayout, BenchModelsMatchWithoutThePass) {
  for (const char* name : {"resnet18", "mobilenet_v2"}) {
    std::string path = std::string("/tmp/benchmodels/") + name + ".onnx";
    if (!std::filesystem::exists(path)) continue;
    SCOPED_TRACE(name);
    SessionOptions on_opts, off_opts;
    on_opts.threads = off_opts.threads = 2;
    off_opts.disabled_passes = {"onednn-layout"};
    auto on = Session::open(path, on_opts);
    auto off = Session::open(path, off_opts);
    ASSERT_TRUE(on.is_ok() && off.is_ok());
    Tensor x = random_tensor({1, 3, 224, 224}, 41, 0.f, 1.f);
    auto a = (*on)->run({x});
    auto b = (*off)->run({x});
    ASSERT_TRUE(a.is_ok()) << a.status().to_string();
    ASSERT_TRUE(b.is_ok()) << b.status().to_string();
    expect_close(*a, *b);
  }
}

}  // namespace
}  // namespace fogline::engine
