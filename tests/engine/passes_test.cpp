// Graph passes: each rewrite where it applies (checked on the optimised graph and against
// the unoptimised session's outputs) and where it must not (a value read twice, a graph
// output, non-constant weights, unknown or broadcast shapes).
#include "engine/passes/pass.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/onnx_import.h"
#include "model_builder.h"

namespace fogline::engine {
namespace {

using testing::random_tensor;
using testing::set_attr;
using testing::TestModel;

int count_ops(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.op_type == op;
  return n;
}

std::string op_list(const Graph& g) {
  std::string s;
  for (const Node& node : g.nodes) s += (s.empty() ? "" : ",") + node.op_type;
  return s;
}

int changes(const Session& s, const std::string& pass) {
  for (const auto& r : s.pass_reports()) {
    if (r.name == pass) return r.changes;
  }
  return -1;
}

const Node* find_op(const Graph& g, const std::string& op) {
  for (const Node& node : g.nodes) {
    if (node.op_type == op) return &node;
  }
  return nullptr;
}

std::unique_ptr<Session> open(const TestModel& m, bool optimize, bool reference_only = false) {
  SessionOptions opts;
  opts.optimize = optimize;
  opts.reference_only = reference_only;
  opts.threads = 2;
  auto s = m.session(opts);
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return s.is_ok() ? std::move(s).value() : nullptr;
}

void expect_close(const std::vector<Tensor>& got, const std::vector<Tensor>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t o = 0; o < got.size(); ++o) {
    ASSERT_EQ(got[o].shape(), want[o].shape()) << "output " << o;
    ASSERT_EQ(got[o].dtype(), want[o].dtype()) << "output " << o;
    for (int64_t i = 0; i < got[o].numel(); ++i) {
      double a = got[o].value_as_double(i), b = want[o].value_as_double(i);
      ASSERT_NEAR(a, b, 1e-5 * std::max(1.0, std::fabs(b))) << "output " << o << " element " << i;
    }
  }
}

// Loads the model with and without passes (on both kernel sets) and checks the outputs agree.
// Returns the optimised session on the default kernels for graph assertions.
std::unique_ptr<Session> check_same_outputs(const TestModel& m, const std::vector<Tensor>& inputs) {
  std::unique_ptr<Session> result;
  for (bool reference : {true, false}) {
    auto plain = open(m, false, reference);
    auto opt = open(m, true, reference);
    if (!plain || !opt) return nullptr;
    auto want = plain->run(inputs);
    auto got = opt->run(inputs);
    EXPECT_TRUE(want.is_ok()) << want.status().to_string();
    EXPECT_TRUE(got.is_ok()) << got.status().to_string();
    if (!want.is_ok() || !got.is_ok()) return nullptr;
    SCOPED_TRACE(reference ? "reference kernels" : "default kernels");
    expect_close(*got, *want);
    if (!reference) result = std::move(opt);
  }
  return result;
}

// Imports and optimises without building kernels, for rewrites whose leftovers (an unfused
// BatchNormalization) may not have a kernel in every build.
Graph optimized_graph(const TestModel& m, std::vector<PassReport>* reports = nullptr) {
  auto model = import_onnx_bytes(m.bytes(), ".");
  EXPECT_TRUE(model.is_ok()) << model.status().to_string();
  if (!model.is_ok()) return {};
  auto r = run_passes(model->graph, {}, false);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  if (reports && r.is_ok()) *reports = *r;
  return std::move(model->graph);
}

// ---------------------------------------------------------------- driver

TEST(Passes, UnknownDisabledPassIsAClearError) {
  TestModel m;
  m.input("x", DataType::kFloat, {2});
  m.node("Relu", {"x"}, {"y"});
  m.output("y", DataType::kFloat);
  SessionOptions opts;
  opts.disabled_passes = {"no-such-pass"};
  auto s = m.session(opts);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = s.status().message();
  EXPECT_NE(msg.find("'no-such-pass'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("constant-folding"), std::string::npos) << msg;  // lists the known ones
}

TEST(Passes, AllRegisteredInOrder) {
  auto names = pass_names();
  std::vector<std::string> want = {"constant-folding", "conv-bn-folding", "conv-add-bias-folding",
                                   "matmul-add-to-gemm",
                                   "fuse-activation", "fuse-add", "fuse-activation-after-add",
                                   "dead-node-elimination", "onednn-layout"};
  std::vector<std::string> ours;
  for (const auto& n : names) {
    if (std::find(want.begin(), want.end(), n) != want.end()) ours.push_back(n);
  }
  EXPECT_EQ(ours, want);
}

// ---------------------------------------------------------------- constant-folding

TEST(ConstantFolding, FoldsShapeChainOverStaticShapesIntoReshape) {
  TestModel m;
  m.input("x", DataType::kFloat, {2, 3, 4});
  m.initializer("zero", Tensor::scalar<int64_t>(0));
  m.initializer("axes", Tensor::from_vector<int64_t>({1}, {0}));
  m.initializer("minus_one", Tensor::from_vector<int64_t>({1}, {-1}));
  m.node("Shape", {"x"}, {"s"});
  m.node("Gather", {"s", "zero"}, {"d0"});
  m.node("Unsqueeze", {"d0", "axes"}, {"u"});
  auto& cat = m.node("Concat", {"u", "minus_one"}, {"shape"});
  set_attr(cat, "axis", int64_t{0});
  m.node("Reshape", {"x", "shape"}, {"y"});
  Shape y_shape{2, 12};
  m.output("y", DataType::kFloat, &y_shape);
  auto x = random_tensor({2, 3, 4}, 1);
  auto s = check_same_outputs(m, {x});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Reshape");
  EXPECT_EQ(changes(*s, "constant-folding"), 4);
  // The Reshape now sees its shape as a constant.
  const Value& shape = s->graph().values[static_cast<size_t>(s->graph().nodes[0].inputs[1])];
  ASSERT_TRUE(shape.constant);
  EXPECT_EQ(shape.constant->value_as_int(0), 2);
  EXPECT_EQ(shape.constant->value_as_int(1), -1);
}

TEST(ConstantFolding, FoldsConstantArithmeticAndKeepsRuntimePart) {
  TestModel m;
  m.input("x", DataType::kFloat, {3});
  m.initializer("a", Tensor::from_vector<float>({3}, {1, 2, 3}));
  m.initializer("b", Tensor::from_vector<float>({3}, {0.5f, 0.25f, 2}));
  m.node("Add", {"a", "b"}, {"ab"});
  m.node("Mul", {"ab", "b"}, {"abb"});
  m.node("Add", {"x", "abb"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({3}, 2)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Add");
  EXPECT_EQ(changes(*s, "constant-folding"), 2);
}

TEST(ConstantFolding, FoldedGraphOutputIsStillReturned) {
  TestModel m;
  m.input("x", DataType::kFloat, {2});
  m.initializer("a", Tensor::from_vector<float>({2}, {1, 2}));
  m.node("Neg", {"a"}, {"c"});
  m.node("Add", {"x", "c"}, {"y"});
  m.output("c", DataType::kFloat);
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({2}, 3)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Add");
  auto out = s->run({random_tensor({2}, 3)});
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ((*out)[0].data<float>()[1], -2.0f);
}

TEST(ConstantFolding, LeavesShapeOfDynamicDimsAndRuntimeInputsAlone) {
  TestModel m;
  m.input("x", DataType::kFloat, {2, 3});
  // Make dimension 0 symbolic: Shape(x) is not known at load time.
  m.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()
      ->mutable_dim(0)->set_dim_param("batch");
  m.initializer("one", Tensor::from_vector<int64_t>({1}, {1}));
  m.node("Shape", {"x"}, {"s"});
  m.node("Add", {"s", "one"}, {"y"});
  m.output("y", DataType::kInt64);
  auto s = open(m, true);
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Shape,Add");
  EXPECT_EQ(changes(*s, "constant-folding"), 0);
  auto out = s->run({random_tensor({5, 3}, 4)});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data<int64_t>()[0], 6);
}

TEST(ConstantFolding, WithADynamicInputOnlyGraphInputShapesAreTrusted) {
  // z is static and checked at run time: Shape(z) folds. Relu(z)'s static shape is only
  // inferred (it could come from an exporter's value_info), and another input is dynamic,
  // so Shape(Relu(z)) stays.
  TestModel m;
  m.input("x", DataType::kFloat, {2, 3});
  m.input("z", DataType::kFloat, {2, 3});
  m.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()
      ->mutable_dim(0)->set_dim_param("batch");
  m.node("Shape", {"z"}, {"sz"});
  m.node("Relu", {"z"}, {"r"});
  m.node("Shape", {"r"}, {"sr"});
  m.node("Add", {"sz", "sr"}, {"s"});
  m.node("Shape", {"x"}, {"sx"});
  m.node("Add", {"s", "sx"}, {"y"});
  m.output("y", DataType::kInt64);
  auto s = open(m, true);
  ASSERT_TRUE(s);
  EXPECT_EQ(count_ops(s->graph(), "Shape"), 2) << op_list(s->graph());  // of r and of x
  EXPECT_EQ(changes(*s, "constant-folding"), 1);
  auto out = s->run({random_tensor({4, 3}, 5), random_tensor({2, 3}, 6)});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data<int64_t>()[0], 8);
  EXPECT_EQ((*out)[0].data<int64_t>()[1], 9);
}

TEST(ConstantFolding, SkipsNodesWhoseKernelFailsAndReportsAtRunTime) {
  // Reshape of 6 elements to [4] is an error: folding must not hide it or break loading.
  TestModel m;
  m.input("x", DataType::kFloat, {1});
  m.initializer("a", Tensor::from_vector<float>({6}, {1, 2, 3, 4, 5, 6}));
  m.initializer("shape", Tensor::from_vector<int64_t>({1}, {4}));
  m.node("Reshape", {"a", "shape"}, {"r"});
  m.node("Add", {"x", "r"}, {"y"});
  m.output("y", DataType::kFloat);
  ImportOptions no_checks;
  no_checks.infer_shapes = false;
  SessionOptions opts;
  opts.import = no_checks;
  auto s = m.session(opts);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(op_list((*s)->graph()), "Reshape,Add");
  EXPECT_FALSE((*s)->run({random_tensor({1}, 5)}).is_ok());
}

TEST(ConstantFolding, RandomOpsAreNeverFolded) {
  TestModel m(15);
  m.input("x", DataType::kFloat, {4});
  m.initializer("p", Tensor::from_vector<float>({4}, {0.5f, 0.5f, 0.5f, 0.5f}));
  m.node("Bernoulli", {"p"}, {"b"});
  m.node("RandomNormalLike", {"p"}, {"n"});
  m.node("Add", {"b", "n"}, {"bn"});
  m.node("Add", {"x", "bn"}, {"y"});
  m.output("y", DataType::kFloat);
  Graph g = optimized_graph(m);
  EXPECT_EQ(op_list(g), "Bernoulli,RandomNormalLike,Add,Add");
}

TEST(ConstantFolding, HugeOutputsStayComputedAtRunTime) {
  TestModel m;
  m.input("x", DataType::kFloat, {1});
  m.initializer("shape", Tensor::from_vector<int64_t>({2}, {5000, 5000}));  // 100 MB of float
  m.node("ConstantOfShape", {"shape"}, {"big"});
  m.node("Add", {"x", "big"}, {"y"});
  m.output("y", DataType::kFloat);
  Graph g = optimized_graph(m);
  EXPECT_EQ(op_list(g), "ConstantOfShape,Add");
}

// ---------------------------------------------------------------- conv-bn-folding

struct BnParams {
  Tensor scale, bias, mean, var;
};

BnParams bn_params(int64_t c) {
  BnParams p{random_tensor({c}, 11, 0.5f, 1.5f), random_tensor({c}, 12), random_tensor({c}, 13),
             random_tensor({c}, 14, 0.1f, 2.0f)};
  return p;
}

// x -> Conv(W, B) -> BatchNormalization -> y
TestModel conv_bn_model(bool weight_is_input, bool conv_out_is_output) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 3, 6, 6});
  if (weight_is_input) {
    m.input("w", DataType::kFloat, {4, 3, 3, 3});
  } else {
    m.initializer("w", random_tensor({4, 3, 3, 3}, 10));
  }
  m.initializer("b", random_tensor({4}, 15));
  BnParams p = bn_params(4);
  m.initializer("scale", p.scale).initializer("shift", p.bias).initializer("mean", p.mean).initializer("var", p.var);
  auto& conv = m.node("Conv", {"x", "w", "b"}, {"c"});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  auto& bn = m.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"});
  set_attr(bn, "epsilon", 1e-3f);
  Shape y_shape{1, 4, 6, 6};
  m.output("y", DataType::kFloat, &y_shape);
  if (conv_out_is_output) m.output("c", DataType::kFloat);
  return m;
}

// The same computation with BN spelled out as Sub/Mul/Add (independent of a BN kernel).
std::vector<Tensor> conv_bn_expected(const Tensor& x) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 3, 6, 6});
  m.initializer("w", random_tensor({4, 3, 3, 3}, 10));
  m.initializer("b", random_tensor({4}, 15));
  BnParams p = bn_params(4);
  Tensor s = std::move(Tensor::allocate(DataType::kFloat, {4, 1, 1})).value();
  Tensor mean = p.mean.reshaped({4, 1, 1});
  Tensor shift = p.bias.reshaped({4, 1, 1});
  for (int c = 0; c < 4; ++c) s.data<float>()[c] = p.scale.data<float>()[c] / std::sqrt(p.var.data<float>()[c] + 1e-3f);
  m.initializer("s", s).initializer("mean", mean).initializer("shift", shift);
  auto& conv = m.node("Conv", {"x", "w", "b"}, {"c"});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Sub", {"c", "mean"}, {"d"});
  m.node("Mul", {"d", "s"}, {"e"});
  m.node("Add", {"e", "shift"}, {"y"});
  m.output("y", DataType::kFloat);
  auto session = open(m, false, true);
  auto out = session->run({x});
  EXPECT_TRUE(out.is_ok()) << out.status().to_string();
  return out.is_ok() ? std::move(out).value() : std::vector<Tensor>{};
}

TEST(ConvBnFolding, FoldsIntoOneConvWithTheSameResult) {
  auto x = random_tensor({1, 3, 6, 6}, 16);
  auto want = conv_bn_expected(x);
  for (bool reference : {true, false}) {
    auto s = open(conv_bn_model(false, false), true, reference);
    ASSERT_TRUE(s);
    EXPECT_EQ(op_list(s->graph()), "Conv");
    EXPECT_EQ(changes(*s, "conv-bn-folding"), 1);
    auto got = s->run({x});
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    expect_close(*got, want);
  }
}

TEST(ConvBnFolding, FoldsConvWithoutBias) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 2, 4, 4});
  m.initializer("w", random_tensor({3, 2, 1, 1}, 20));
  BnParams p = bn_params(3);
  m.initializer("scale", p.scale).initializer("shift", p.bias).initializer("mean", p.mean).initializer("var", p.var);
  m.node("Conv", {"x", "w"}, {"c"});
  m.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = open(m, true);
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Conv");
  EXPECT_EQ(s->graph().nodes[0].inputs.size(), 3u);
  auto x = random_tensor({1, 2, 4, 4}, 21);
  auto got = s->run({x});
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  // y = (conv(x) - mean) * scale / sqrt(var + 1e-5) + shift, conv a 1x1 here.
  const Tensor w = random_tensor({3, 2, 1, 1}, 20);
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 16; ++i) {
      double conv = 0;
      for (int k = 0; k < 2; ++k) conv += double{x.data<float>()[k * 16 + i]} * w.data<float>()[c * 2 + k];
      double want = (conv - p.mean.data<float>()[c]) * p.scale.data<float>()[c] / std::sqrt(p.var.data<float>()[c] + 1e-5) +
                    p.bias.data<float>()[c];
      EXPECT_NEAR((*got)[0].data<float>()[c * 16 + i], want, 1e-5 * std::max(1.0, std::fabs(want)));
    }
  }
}

TEST(ConvBnFolding, NotAppliedWhenConvOutputIsAGraphOutput) {
  Graph g = optimized_graph(conv_bn_model(false, true));
  EXPECT_EQ(op_list(g), "Conv,BatchNormalization");
}

TEST(ConvBnFolding, NotAppliedWhenWeightsAreNotConstant) {
  Graph g = optimized_graph(conv_bn_model(true, false));
  EXPECT_EQ(op_list(g), "Conv,BatchNormalization");
}

TEST(ConvBnFolding, NotAppliedInTrainingModeOrWithRuntimeStatistics) {
  TestModel m = conv_bn_model(false, false);
  m.proto().mutable_opset_import(0)->set_version(14);  // training_mode exists from opset 14
  set_attr(*m.proto().mutable_graph()->mutable_node(1), "training_mode", int64_t{1});
  EXPECT_EQ(op_list(optimized_graph(m)), "Conv,BatchNormalization");
  TestModel m2 = conv_bn_model(false, false);
  m2.proto().mutable_graph()->mutable_node(1)->set_input(3, "x_mean");
  m2.input("x_mean", DataType::kFloat, {4});
  EXPECT_EQ(op_list(optimized_graph(m2)), "Conv,BatchNormalization");
}

// ---------------------------------------------------------------- conv-add-bias-folding

// x -> Conv -> Add(c) -> Relu, c a constant of shape `c_shape` (mnist-8's layout).
TestModel conv_add_model(const Shape& c_shape, bool with_bias) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 2, 5, 5});
  m.initializer("w", random_tensor({4, 2, 3, 3}, 90));
  m.initializer("b", random_tensor({4}, 91));
  m.initializer("c", random_tensor(c_shape, 92));
  if (with_bias) {
    m.node("Conv", {"x", "w", "b"}, {"y0"});
  } else {
    m.node("Conv", {"x", "w"}, {"y0"});
  }
  m.node("Add", {"y0", "c"}, {"y1"});
  m.node("Relu", {"y1"}, {"y"});
  m.output("y", DataType::kFloat);
  return m;
}

TEST(ConvAddBiasFolding, PerChannelConstantAddBecomesTheBiasAndReluFuses) {
  for (const Shape& c_shape : {Shape{4, 1, 1}, Shape{1, 4, 1, 1}}) {
    for (bool with_bias : {false, true}) {
      SCOPED_TRACE(shape_to_string(c_shape) + (with_bias ? " with bias" : " without bias"));
      auto s = check_same_outputs(conv_add_model(c_shape, with_bias), {random_tensor({1, 2, 5, 5}, 93)});
      ASSERT_TRUE(s);
      EXPECT_EQ(op_list(s->graph()), "Conv");
      EXPECT_EQ(changes(*s, "conv-add-bias-folding"), 1);
      EXPECT_EQ(s->graph().nodes[0].post_ops.size(), 1u);
    }
  }
}

TEST(ConvAddBiasFolding, OtherBroadcastsAreNotFolded) {
  // The Conv output is [1,4,4,3]. Each constant has 4 elements but runs along the height,
  // not the 4 channels, so folding it into the bias would be wrong.
  for (const Shape& c_shape : {Shape{4, 1}, Shape{1, 1, 4, 1}, Shape{1, 4, 1}}) {
    SCOPED_TRACE(shape_to_string(c_shape));
    TestModel m;
    m.input("x", DataType::kFloat, {1, 2, 6, 3});
    m.initializer("w", random_tensor({4, 2, 3, 1}, 95));
    m.initializer("c", random_tensor(c_shape, 96));
    m.node("Conv", {"x", "w"}, {"y0"});
    m.node("Add", {"y0", "c"}, {"y"});
    m.output("y", DataType::kFloat);
    auto s = check_same_outputs(m, {random_tensor({1, 2, 6, 3}, 97)});
    ASSERT_TRUE(s);
    EXPECT_EQ(count_ops(s->graph(), "Add"), 1);
  }
}

// ---------------------------------------------------------------- matmul-add-to-gemm

TestModel matmul_add_model(const Shape& a_shape, bool bias_is_input, bool matmul_out_is_output) {
  TestModel m;
  m.input("a", DataType::kFloat, a_shape);
  m.initializer("w", random_tensor({8, 5}, 30));
  if (bias_is_input) {
    m.input("bias", DataType::kFloat, {5});
  } else {
    m.initializer("bias", random_tensor({5}, 31));
  }
  m.node("MatMul", {"a", "w"}, {"p"});
  m.node("Add", {"bias", "p"}, {"y"});  // bias first: either order is an Add of a bias
  m.output("y", DataType::kFloat);
  if (matmul_out_is_output) m.output("p", DataType::kFloat);
  return m;
}

TEST(MatMulAddToGemm, TwoDimensionalMatMulPlusBiasBecomesGemm) {
  auto s = check_same_outputs(matmul_add_model({4, 8}, false, false), {random_tensor({4, 8}, 32)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Gemm");
  EXPECT_EQ(changes(*s, "matmul-add-to-gemm"), 1);
}

TEST(MatMulAddToGemm, BatchedMatMulTakesTheBiasAsItsThirdInput) {
  // Gemm has no batch dimensions: the bias goes into the MatMul itself.
  auto s = check_same_outputs(matmul_add_model({2, 4, 8}, false, false), {random_tensor({2, 4, 8}, 33)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "MatMul");
  EXPECT_EQ(s->graph().nodes[0].inputs.size(), 3u);
  EXPECT_EQ(changes(*s, "matmul-add-to-gemm"), 1);
}

TEST(MatMulAddToGemm, NotAppliedToNonConstantBiasOrSharedOutput) {
  {
    auto s = check_same_outputs(matmul_add_model({4, 8}, true, false),
                                {random_tensor({4, 8}, 34), random_tensor({5}, 35)});
    ASSERT_TRUE(s);
    EXPECT_EQ(count_ops(s->graph(), "Gemm"), 0);
  }
  {
    auto s = check_same_outputs(matmul_add_model({4, 8}, false, true), {random_tensor({4, 8}, 36)});
    ASSERT_TRUE(s);
    EXPECT_EQ(count_ops(s->graph(), "Gemm"), 0);
    EXPECT_EQ(count_ops(s->graph(), "MatMul"), 1);
  }
}

// ---------------------------------------------------------------- matmul-scale-folding

TEST(MatMulScaleFolding, LayerScaleAfterLinearFoldsIntoWeightsAndBias) {
  for (bool with_bias : {true, false}) {
    SCOPED_TRACE(with_bias ? "with bias" : "without bias");
    TestModel m;
    m.input("a", DataType::kFloat, {2, 3, 4});
    m.initializer("w", random_tensor({4, 5}, 60)).initializer("b", random_tensor({5}, 61));
    m.initializer("gamma", random_tensor({1, 1, 5}, 62));
    m.node("MatMul", {"a", "w"}, {"p"});
    if (with_bias) m.node("Add", {"p", "b"}, {"q"});
    m.node("Mul", {"gamma", with_bias ? "q" : "p"}, {"y"});
    m.output("y", DataType::kFloat);
    auto s = check_same_outputs(m, {random_tensor({2, 3, 4}, 63)});
    ASSERT_TRUE(s);
    EXPECT_EQ(op_list(s->graph()), "MatMul");
    EXPECT_EQ(changes(*s, "matmul-scale-folding"), 1);
  }
}

TEST(MatMulScaleFolding, ScaleAfterATransposeBackToChannelsFirstFolds) {
  // ConvNeXt: channels-last MLP, Transpose to NCHW, layer scale [C, 1, 1].
  TestModel m;
  m.input("a", DataType::kFloat, {1, 3, 3, 4});
  m.initializer("w", random_tensor({4, 5}, 67)).initializer("b", random_tensor({5}, 68));
  m.initializer("gamma", random_tensor({5, 1, 1}, 69));
  m.node("MatMul", {"a", "w"}, {"p"});
  m.node("Add", {"p", "b"}, {"q"});
  auto& t = m.node("Transpose", {"q"}, {"t"});
  set_attr(t, "perm", std::vector<int64_t>{0, 3, 1, 2});
  m.node("Mul", {"t", "gamma"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({1, 3, 3, 4}, 70)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "MatMul,Transpose");
  EXPECT_EQ(changes(*s, "matmul-scale-folding"), 1);
}

TEST(MatMulScaleFolding, ScalesThatAreNotPerColumnStay) {
  TestModel m;
  m.input("a", DataType::kFloat, {3, 4});
  m.initializer("w", random_tensor({4, 5}, 64));
  m.initializer("rows", random_tensor({3, 1}, 65));  // scales rows, not columns
  m.node("MatMul", {"a", "w"}, {"p"});
  m.node("Mul", {"p", "rows"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({3, 4}, 66)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "MatMul,Mul");
}

// ---------------------------------------------------------------- shape-propagation

TEST(ShapePropagation, ShapesComputedInTheGraphBecomeStaticAfterFolding) {
  // Slice's end is Shape(x)[1] / 2, computed in the graph: ONNX shape inference leaves the
  // Slice (and the Relu after it) without a shape; after folding they are known.
  TestModel m;
  m.input("x", DataType::kFloat, {1, 8, 3, 3});
  m.initializer("one", Tensor::from_vector<int64_t>({1}, {1}));
  m.initializer("two", Tensor::from_vector<int64_t>({1}, {2}));
  m.initializer("zero", Tensor::from_vector<int64_t>({1}, {0}));
  m.node("Shape", {"x"}, {"shape"});
  auto& gather = m.node("Gather", {"shape", "one"}, {"c"});
  set_attr(gather, "axis", int64_t{0});
  m.node("Div", {"c", "two"}, {"half"});
  m.node("Slice", {"x", "zero", "half", "one"}, {"s"});
  m.node("Relu", {"s"}, {"r"});
  m.node("Sigmoid", {"r"}, {"y"});
  const Shape y_shape{1, 4, 3, 3};
  m.output("y", DataType::kFloat, &y_shape);
  auto s = check_same_outputs(m, {random_tensor({1, 8, 3, 3}, 73)});
  ASSERT_TRUE(s);
  const Graph& g = s->graph();
  for (const char* name : {"s", "r"}) {
    auto shape = g.values[static_cast<size_t>(g.find_value(name))].type.static_shape();
    ASSERT_TRUE(shape.has_value()) << name;
    EXPECT_EQ(*shape, y_shape) << name;
  }
  EXPECT_EQ(changes(*s, "shape-propagation"), 2);
}

// ---------------------------------------------------------------- channel-shuffle

TestModel shuffle_model(const std::vector<int64_t>& perm) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 6, 3, 3});
  m.initializer("split", Tensor::from_vector<int64_t>({5}, {1, 2, 3, 3, 3}));
  m.initializer("merge", Tensor::from_vector<int64_t>({4}, {1, -1, 3, 3}));
  m.node("Reshape", {"x", "split"}, {"r"});
  auto& t = m.node("Transpose", {"r"}, {"t"});
  set_attr(t, "perm", perm);
  m.node("Reshape", {"t", "merge"}, {"y"});
  m.output("y", DataType::kFloat);
  return m;
}

TEST(ChannelShuffle, ReshapeTransposeReshapeBecomesOneShuffle) {
  auto s = check_same_outputs(shuffle_model({0, 2, 1, 3, 4}), {random_tensor({1, 6, 3, 3}, 71)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "ChannelShuffle");
  EXPECT_EQ(s->graph().nodes[0].attrs.get_int("group", 0), 2);
  EXPECT_EQ(changes(*s, "channel-shuffle"), 1);
}

TEST(ChannelShuffle, OtherPermutationsStay) {
  auto s = check_same_outputs(shuffle_model({0, 1, 2, 4, 3}), {random_tensor({1, 6, 3, 3}, 72)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Reshape,Transpose,Reshape");
}

// ---------------------------------------------------------------- fuse-activation

struct ActivationCase {
  std::string op;
  PostOp::Kind kind;
};

// x -> Conv -> <activation> -> y
TestModel conv_activation_model(const std::string& op) {
  TestModel m(14);
  m.input("x", DataType::kFloat, {1, 2, 5, 5});
  m.initializer("w", random_tensor({3, 2, 3, 3}, 40, -2, 2));
  m.initializer("b", random_tensor({3}, 41));
  auto& conv = m.node("Conv", {"x", "w", "b"}, {"c"});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  if (op == "SiLU") {
    m.node("Sigmoid", {"c"}, {"s"});
    m.node("Mul", {"s", "c"}, {"y"});
  } else if (op == "HardSwishPattern") {  // x * HardSigmoid(x), as exporters write HardSwish
    auto& hs = m.node("HardSigmoid", {"c"}, {"s"});
    set_attr(hs, "alpha", 1.0f / 6.0f);
    m.node("Mul", {"c", "s"}, {"y"});
  } else if (op == "GeluErf" || op == "GeluNotQuite") {  // PyTorch's export of nn.GELU()
    m.initializer("sqrt2", Tensor::scalar<float>(op == "GeluErf" ? 1.4142135f : 2.0f));
    m.initializer("one", Tensor::scalar<float>(1.0f)).initializer("half", Tensor::scalar<float>(0.5f));
    m.node("Div", {"c", "sqrt2"}, {"d"});
    m.node("Erf", {"d"}, {"e"});
    m.node("Add", {"e", "one"}, {"a"});
    m.node("Mul", {"c", "a"}, {"m"});
    m.node("Mul", {"m", "half"}, {"y"});
  } else if (op == "GeluErfHalfFirst") {  // 0.5 * x first, x / sqrt(2) as a product
    m.initializer("rsqrt2", Tensor::scalar<float>(0.70710678f));
    m.initializer("one", Tensor::scalar<float>(1.0f)).initializer("half", Tensor::scalar<float>(0.5f));
    m.node("Mul", {"rsqrt2", "c"}, {"d"});
    m.node("Erf", {"d"}, {"e"});
    m.node("Add", {"one", "e"}, {"a"});
    m.node("Mul", {"half", "c"}, {"h"});
    m.node("Mul", {"a", "h"}, {"y"});
  } else if (op == "Clip") {
    m.initializer("lo", Tensor::scalar<float>(-0.5f)).initializer("hi", Tensor::scalar<float>(0.75f));
    m.node("Clip", {"c", "lo", "hi"}, {"y"});
  } else {
    auto& act = m.node(op, {"c"}, {"y"});
    if (op == "LeakyRelu") set_attr(act, "alpha", 0.3f);
    if (op == "HardSigmoid") set_attr(act, "alpha", 0.3f);
  }
  m.output("y", DataType::kFloat);
  return m;
}

TEST(FuseActivation, EachActivationAfterConvBecomesAPostOp) {
  const std::vector<ActivationCase> cases = {
      {"Relu", PostOp::Kind::kRelu},       {"LeakyRelu", PostOp::Kind::kLeakyRelu},
      {"Clip", PostOp::Kind::kClip},       {"Sigmoid", PostOp::Kind::kSigmoid},
      {"Tanh", PostOp::Kind::kTanh},       {"HardSigmoid", PostOp::Kind::kHardSigmoid},
      {"HardSwish", PostOp::Kind::kHardSwish}, {"SiLU", PostOp::Kind::kSilu},
      {"HardSwishPattern", PostOp::Kind::kHardSwish}, {"GeluErf", PostOp::Kind::kGeluErf},
      {"GeluErfHalfFirst", PostOp::Kind::kGeluErf}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.op);
    auto s = check_same_outputs(conv_activation_model(c.op), {random_tensor({1, 2, 5, 5}, 42)});
    ASSERT_TRUE(s);
    EXPECT_EQ(op_list(s->graph()), "Conv");
    ASSERT_EQ(s->graph().nodes[0].post_ops.size(), 1u);
    EXPECT_EQ(s->graph().nodes[0].post_ops[0].kind, c.kind);
    EXPECT_EQ(changes(*s, "fuse-activation"), 1);
  }
}

TEST(FuseActivation, AnErfChainThatIsNotGeluStaysAsItIs) {
  auto s = check_same_outputs(conv_activation_model("GeluNotQuite"), {random_tensor({1, 2, 5, 5}, 42)});
  ASSERT_TRUE(s);
  EXPECT_EQ(count_ops(s->graph(), "Erf"), 1);
  EXPECT_TRUE(s->graph().nodes[0].post_ops.empty());
}

TEST(FuseActivation, GemmMatMulAndChainsFuse) {
  TestModel m;
  m.input("a", DataType::kFloat, {3, 4});
  m.initializer("w", random_tensor({4, 6}, 50));
  m.initializer("w2", random_tensor({6, 2}, 51));
  m.node("Gemm", {"a", "w"}, {"g"});
  m.node("Tanh", {"g"}, {"t"});
  m.node("Relu", {"t"}, {"r"});  // a chain: both fold into the Gemm
  m.node("MatMul", {"r", "w2"}, {"p"});
  m.node("Sigmoid", {"p"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({3, 4}, 52)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Gemm,MatMul");
  EXPECT_EQ(s->graph().nodes[0].post_ops.size(), 2u);
  EXPECT_EQ(s->graph().nodes[1].post_ops.size(), 1u);
}

TEST(FuseActivation, NotAppliedWhenProducerOutputIsReadTwiceOrIsAGraphOutput) {
  {
    TestModel m = conv_activation_model("Relu");
    m.output("c", DataType::kFloat);  // the pre-activation value is wanted too
    auto s = check_same_outputs(m, {random_tensor({1, 2, 5, 5}, 43)});
    ASSERT_TRUE(s);
    EXPECT_EQ(op_list(s->graph()), "Conv,Relu");
    EXPECT_TRUE(s->graph().nodes[0].post_ops.empty());
  }
  {
    TestModel m = conv_activation_model("Relu");
    m.node("Neg", {"c"}, {"n"});  // a second reader
    m.output("n", DataType::kFloat);
    auto s = check_same_outputs(m, {random_tensor({1, 2, 5, 5}, 44)});
    ASSERT_TRUE(s);
    EXPECT_EQ(count_ops(s->graph(), "Relu"), 1);
    EXPECT_TRUE(find_op(s->graph(), "Conv")->post_ops.empty());
  }
}

TEST(FuseActivation, ClipWithRuntimeBoundsIsNotFused) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {2, 3});
  m.input("lo", DataType::kFloat, {});
  m.initializer("w", random_tensor({3, 3}, 60));
  m.node("MatMul", {"x", "w"}, {"p"});
  m.node("Clip", {"p", "lo"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({2, 3}, 61), Tensor::scalar<float>(0.1f)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "MatMul,Clip");
}

TEST(FuseActivation, DisabledByName) {
  SessionOptions opts;
  opts.disabled_passes = {"fuse-activation"};
  auto s = conv_activation_model("Relu").session(opts);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(op_list((*s)->graph()), "Conv,Relu");
  EXPECT_EQ(changes(**s, "fuse-activation"), -1);  // did not run at all
}

// ---------------------------------------------------------------- fuse-add

// x -> Conv (no bias) -> Add(x) -> Relu -> y: a residual block.
TestModel residual_model(const Shape& addend_shape, bool with_bn) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 3, 5, 5});
  m.input("r", DataType::kFloat, addend_shape);
  m.initializer("w", random_tensor({3, 3, 3, 3}, 70));
  auto& conv = m.node("Conv", {"x", "w"}, {"c"});
  set_attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  std::string pre_add = "c";
  if (with_bn) {
    BnParams p = bn_params(3);
    m.initializer("scale", p.scale).initializer("shift", p.bias).initializer("mean", p.mean).initializer("var", p.var);
    m.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"bn"});
    pre_add = "bn";
  }
  m.node("Add", {"r", pre_add}, {"sum"});
  m.node("Relu", {"sum"}, {"y"});
  m.output("y", DataType::kFloat);
  return m;
}

TEST(FuseAdd, ConvAddReluBecomesOneConvWithAddThenRelu) {
  auto s = check_same_outputs(residual_model({1, 3, 5, 5}, false),
                              {random_tensor({1, 3, 5, 5}, 71), random_tensor({1, 3, 5, 5}, 72)});
  ASSERT_TRUE(s);
  ASSERT_EQ(op_list(s->graph()), "Conv");
  const Node& conv = s->graph().nodes[0];
  ASSERT_EQ(conv.post_ops.size(), 2u);
  EXPECT_EQ(conv.post_ops[0].kind, PostOp::Kind::kAdd);
  EXPECT_EQ(conv.post_ops[1].kind, PostOp::Kind::kRelu);
  // The addend goes after Conv's optional bias slot, which stays empty.
  ASSERT_EQ(conv.post_ops[0].input, 3);
  EXPECT_EQ(conv.inputs[2], -1);
  EXPECT_EQ(s->graph().values[static_cast<size_t>(conv.inputs[3])].name, "r");
  EXPECT_EQ(changes(*s, "fuse-add"), 1);
  EXPECT_EQ(changes(*s, "fuse-activation-after-add"), 1);
}

TEST(FuseAdd, ResidualBlockWithBatchNormEndsAsOneConv) {
  auto model = residual_model({1, 3, 5, 5}, true);
  auto s = open(model, true);
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Conv");
  EXPECT_EQ(s->graph().nodes[0].post_ops.size(), 2u);
  auto plain = model.session(SessionOptions{.optimize = false});
  if (!plain.is_ok()) GTEST_SKIP() << "no BatchNormalization kernel yet: " << plain.status().message();
  std::vector<Tensor> in = {random_tensor({1, 3, 5, 5}, 73), random_tensor({1, 3, 5, 5}, 74)};
  auto want = (*plain)->run(in);
  auto got = s->run(in);
  ASSERT_TRUE(want.is_ok() && got.is_ok());
  expect_close(*got, *want);
}

TEST(FuseAdd, GemmPlusSameShapeTensorFuses) {
  TestModel m;
  m.input("a", DataType::kFloat, {4, 3});
  m.input("r", DataType::kFloat, {4, 2});
  m.initializer("w", random_tensor({3, 2}, 80));
  m.initializer("c", random_tensor({2}, 81));
  m.node("Gemm", {"a", "w", "c"}, {"g"});
  m.node("Add", {"g", "r"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({4, 3}, 82), random_tensor({4, 2}, 83)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Gemm");
}

TEST(FuseAdd, BatchedMatMulPlusResidualFuses) {
  TestModel m;
  m.input("a", DataType::kFloat, {2, 3, 4});
  m.input("r", DataType::kFloat, {2, 3, 5});
  m.initializer("w", random_tensor({4, 5}, 84));
  m.node("MatMul", {"a", "w"}, {"p"});
  m.node("Add", {"p", "r"}, {"s"});
  m.node("Relu", {"s"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({2, 3, 4}, 85), random_tensor({2, 3, 5}, 86)});
  ASSERT_TRUE(s);
  ASSERT_EQ(op_list(s->graph()), "MatMul");
  EXPECT_EQ(s->graph().nodes[0].post_ops.size(), 2u);
  EXPECT_EQ(s->graph().nodes[0].post_ops[0].input, 3);  // slot 2 is MatMul's bias
}

TEST(FuseAdd, BatchedMatMulWithBiasAndResidualFuses) {
  TestModel m;
  m.input("a", DataType::kFloat, {2, 3, 4});
  m.input("r", DataType::kFloat, {2, 3, 5});
  m.initializer("w", random_tensor({4, 5}, 84));
  m.initializer("b", random_tensor({5}, 88));
  m.node("MatMul", {"a", "w"}, {"p"});
  m.node("Add", {"p", "b"}, {"q"});
  m.node("Add", {"r", "q"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({2, 3, 4}, 85), random_tensor({2, 3, 5}, 86)});
  ASSERT_TRUE(s);
  ASSERT_EQ(op_list(s->graph()), "MatMul");
  EXPECT_EQ(s->graph().nodes[0].post_ops.size(), 1u);
}

TEST(FuseActivation, ConvTransposeFuses) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 2, 4, 4});
  m.initializer("w", random_tensor({2, 3, 3, 3}, 87));
  m.node("ConvTranspose", {"x", "w"}, {"c"});
  auto& act = m.node("LeakyRelu", {"c"}, {"y"});
  set_attr(act, "alpha", 0.2f);
  m.output("y", DataType::kFloat);
  auto s = check_same_outputs(m, {random_tensor({1, 2, 4, 4}, 88)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "ConvTranspose");
}

TEST(FuseAdd, BroadcastingAddIsNotFused) {
  auto s = check_same_outputs(residual_model({1, 3, 1, 1}, false),
                              {random_tensor({1, 3, 5, 5}, 75), random_tensor({1, 3, 1, 1}, 76)});
  ASSERT_TRUE(s);
  EXPECT_EQ(count_ops(s->graph(), "Add"), 1);
  EXPECT_EQ(changes(*s, "fuse-add"), 0);
}

TEST(FuseAdd, SameNamedDynamicBatchFuses) {
  TestModel m = residual_model({1, 3, 5, 5}, false);
  for (int i : {0, 1}) {
    m.proto().mutable_graph()->mutable_input(i)->mutable_type()->mutable_tensor_type()->mutable_shape()
        ->mutable_dim(0)->set_dim_param("N");
  }
  auto s = check_same_outputs(m, {random_tensor({2, 3, 5, 5}, 77), random_tensor({2, 3, 5, 5}, 78)});
  ASSERT_TRUE(s);
  EXPECT_EQ(op_list(s->graph()), "Conv");
}

TEST(FuseAdd, UnknownShapeIsNotFused) {
  TestModel m = residual_model({1, 3, 5, 5}, false);
  m.proto().mutable_graph()->mutable_input(1)->mutable_type()->mutable_tensor_type()->mutable_shape()
      ->mutable_dim(0)->set_dim_param("n");
  auto s = check_same_outputs(m, {random_tensor({1, 3, 5, 5}, 77), random_tensor({1, 3, 5, 5}, 78)});
  ASSERT_TRUE(s);
  EXPECT_EQ(count_ops(s->graph(), "Add"), 1);
}

}  // namespace
}  // namespace fogline::engine
