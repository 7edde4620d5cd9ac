// Unit tests for the math, activation, logic and loss kernels: each op on a small model, a
// couple of shapes, and bad inputs that must come back as errors rather than crashes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/model_builder.h"

namespace fogline::engine {
namespace {

using testing::set_attr;
using testing::TestModel;

struct Feed {
  std::string name;
  Tensor value;
};

// Builds a one-node model whose inputs are `feeds` and runs it once.
Result<std::vector<Tensor>> run_op(const std::string& op, const std::vector<Feed>& feeds, int n_outputs = 1,
                                   int opset = 13,
                                   const std::function<void(onnx::NodeProto&)>& attrs = nullptr) {
  TestModel m(opset);
  std::vector<std::string> in_names, out_names;
  std::vector<Tensor> values;
  for (const auto& f : feeds) {
    if (f.name.empty()) {
      in_names.push_back("");  // omitted optional input
      continue;
    }
    m.input(f.name, f.value.dtype(), f.value.shape());
    in_names.push_back(f.name);
    values.push_back(f.value);
  }
  for (int i = 0; i < n_outputs; ++i) out_names.push_back("y" + std::to_string(i));
  auto& n = m.node(op, in_names, out_names);
  if (attrs) attrs(n);
  for (const auto& o : out_names) m.output(o);
  FOGLINE_ASSIGN_OR_RETURN(auto session, m.session());
  return session->run(values);
}

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

void expect_floats(const Tensor& t, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(t.dtype(), DataType::kFloat);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(t.data<float>()[i])) << "element " << i;
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(t.data<float>()[i], want[i]) << "element " << i;
    } else {
      EXPECT_NEAR(t.data<float>()[i], want[i], tol) << "element " << i;
    }
  }
}

TEST(MathOps, UnaryFloatOps) {
  auto x = Tensor::from_vector<float>({2, 2}, {-1.5f, 0.0f, 2.5f, 4.0f});
  struct Case {
    const char* op;
    std::vector<float> want;
  } cases[] = {
      {"Abs", {1.5f, 0, 2.5f, 4}},
      {"Neg", {1.5f, 0, -2.5f, -4}},
      {"Floor", {-2, 0, 2, 4}},
      {"Ceil", {-1, 0, 3, 4}},
      {"Round", {-2, 0, 2, 4}},  // halves to even
      {"Sign", {-1, 0, 1, 1}},
      {"Exp", {std::exp(-1.5f), 1, std::exp(2.5f), std::exp(4.0f)}},
      {"Sin", {std::sin(-1.5f), 0, std::sin(2.5f), std::sin(4.0f)}},
      {"Erf", {std::erf(-1.5f), 0, std::erf(2.5f), std::erf(4.0f)}},
      {"Sqrt", {NAN, 0, std::sqrt(2.5f), 2}},
  };
  for (const auto& c : cases) {
    auto out = run_op(c.op, {{"x", x}});
    ASSERT_TRUE(out.is_ok()) << c.op << ": " << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{2, 2})) << c.op;
    expect_floats((*out)[0], c.want, 1e-4f);
  }
}

TEST(MathOps, AbsAndNegOnIntegers) {
  auto x = Tensor::from_vector<int32_t>({3}, {-3, 0, 7});
  auto abs = run_op("Abs", {{"x", x}});
  ASSERT_TRUE(abs.is_ok()) << abs.status().to_string();
  EXPECT_EQ(values_of<int32_t>((*abs)[0]), (std::vector<int32_t>{3, 0, 7}));
  auto neg = run_op("Neg", {{"x", x}});
  ASSERT_TRUE(neg.is_ok());
  EXPECT_EQ(values_of<int32_t>((*neg)[0]), (std::vector<int32_t>{3, 0, -7}));
}

TEST(MathOps, IsNaNAndIsInf) {
  const float inf = std::numeric_limits<float>::infinity();
  auto x = Tensor::from_vector<float>({4}, {1.0f, NAN, inf, -inf});
  auto nan = run_op("IsNaN", {{"x", x}});
  ASSERT_TRUE(nan.is_ok());
  EXPECT_EQ(values_of<bool>((*nan)[0]), (std::vector<bool>{false, true, false, false}));
  auto pos = run_op("IsInf", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) { set_attr(n, "detect_negative", 0); });
  ASSERT_TRUE(pos.is_ok());
  EXPECT_EQ(values_of<bool>((*pos)[0]), (std::vector<bool>{false, false, true, false}));
}

TEST(MathOps, PowWithMixedTypes) {
  auto base = Tensor::from_vector<int32_t>({3}, {1, 2, 3});
  auto e = Tensor::from_vector<float>({3}, {4, 5, 6});
  auto out = run_op("Pow", {{"x", base}, {"e", e}}, 1, 15);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].dtype(), DataType::kInt32);
  EXPECT_EQ(values_of<int32_t>((*out)[0]), (std::vector<int32_t>{1, 32, 729}));
  auto fb = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  auto sq = run_op("Pow", {{"x", fb}, {"e", Tensor::from_vector<int64_t>({1}, {2})}}, 1, 15);
  ASSERT_TRUE(sq.is_ok());
  expect_floats((*sq)[0], {1, 4, 9, 16});
}

TEST(MathOps, ModFollowsTheDivisorOrTheDividend) {
  auto a = Tensor::from_vector<int32_t>({4}, {-4, 7, 5, 3});
  auto b = Tensor::from_vector<int32_t>({4}, {3, -3, 0, 2});
  auto py = run_op("Mod", {{"a", a}, {"b", b}});
  ASSERT_TRUE(py.is_ok()) << py.status().to_string();
  EXPECT_EQ(values_of<int32_t>((*py)[0]), (std::vector<int32_t>{2, -2, 0, 1}));
  auto c = run_op("Mod", {{"a", a}, {"b", b}}, 1, 13, [](onnx::NodeProto& n) { set_attr(n, "fmod", 1); });
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(values_of<int32_t>((*c)[0]), (std::vector<int32_t>{-1, 1, 0, 1}));
}

TEST(MathOps, VariadicOpsBroadcast) {
  auto a = Tensor::from_vector<float>({2, 3}, {1, 5, 3, 4, 2, 6});
  auto b = Tensor::from_vector<float>({3}, {2, 2, 2});
  auto c = Tensor::from_vector<float>({1}, {3});
  auto mx = run_op("Max", {{"a", a}, {"b", b}, {"c", c}});
  ASSERT_TRUE(mx.is_ok()) << mx.status().to_string();
  EXPECT_EQ((*mx)[0].shape(), (Shape{2, 3}));
  expect_floats((*mx)[0], {3, 5, 3, 4, 3, 6});
  auto mn = run_op("Min", {{"a", a}, {"b", b}});
  ASSERT_TRUE(mn.is_ok());
  expect_floats((*mn)[0], {1, 2, 2, 2, 2, 2});
  auto sum = run_op("Sum", {{"a", a}, {"b", b}, {"c", c}});
  ASSERT_TRUE(sum.is_ok());
  expect_floats((*sum)[0], {6, 10, 8, 9, 7, 11});
  auto mean = run_op("Mean", {{"a", a}, {"b", b}});
  ASSERT_TRUE(mean.is_ok());
  expect_floats((*mean)[0], {1.5f, 3.5f, 2.5f, 3, 2, 4});
  auto one = run_op("Sum", {{"a", a}});
  ASSERT_TRUE(one.is_ok());
  expect_floats((*one)[0], {1, 5, 3, 4, 2, 6});
}

TEST(MathOps, VariadicRejectsIncompatibleShapes) {
  auto a = Tensor::from_vector<float>({2, 3}, {});
  auto b = Tensor::from_vector<float>({4}, {});
  // Declared output type, so that loading succeeds and the kernel itself must refuse.
  TestModel m;
  m.input("a", DataType::kFloat, {2, 3});
  m.input("b", DataType::kFloat, {4});
  m.node("Max", {"a", "b"}, {"y"});
  const Shape declared{2, 3};
  m.output("y", DataType::kFloat, &declared);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({a, b});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("broadcast"), std::string::npos) << out.status().message();
}

TEST(MathOps, LegacyAxisBroadcastBeforeOpset7) {
  // Opset 6 Add with broadcast=1, axis=1: a [3] B lines up with A's dimension 1.
  auto a = Tensor::from_vector<float>({2, 3, 2}, {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1});
  auto b = Tensor::from_vector<float>({3}, {10, 20, 30});
  auto out = run_op("Add", {{"a", a}, {"b", b}}, 1, 6, [](onnx::NodeProto& n) {
    set_attr(n, "broadcast", 1);
    set_attr(n, "axis", 1);
  });
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_floats((*out)[0], {10, 10, 20, 20, 30, 30, 11, 11, 21, 21, 31, 31});
  auto bad = run_op("Mul", {{"a", a}, {"b", Tensor::from_vector<float>({4}, {})}}, 1, 6, [](onnx::NodeProto& n) {
    set_attr(n, "broadcast", 1);
    set_attr(n, "axis", 1);
  });
  EXPECT_FALSE(bad.is_ok());
}

TEST(MathOps, EdgeValuesDoNotTrap) {
  const int32_t lo = std::numeric_limits<int32_t>::min();
  auto a = Tensor::from_vector<int32_t>({3}, {lo, 7, lo});
  auto b = Tensor::from_vector<int32_t>({3}, {-1, 0, -1});
  for (const char* op : {"Div", "Mod"}) {
    auto out = run_op(op, {{"a", a}, {"b", b}});
    ASSERT_TRUE(out.is_ok()) << op << ": " << out.status().to_string();
  }
  auto p = run_op("Pow", {{"a", a}, {"b", Tensor::from_vector<int32_t>({3}, {31, -3, 1000})}}, 1, 15);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  auto big = Tensor::from_vector<float>({3}, {1e30f, -1e30f, NAN});
  auto c = run_op("Cast", {{"x", big}}, 1, 13,
                  [](onnx::NodeProto& n) { set_attr(n, "to", static_cast<int64_t>(DataType::kInt64)); });
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ((*c)[0].data<int64_t>()[2], 0);
  auto empty = Tensor::from_vector<float>({2, 0, 3}, {});
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax", "Abs", "Sigmoid"}) {
    auto out = run_op(op, {{"x", empty}});
    ASSERT_TRUE(out.is_ok()) << op << ": " << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{2, 0, 3})) << op;
  }
}

TEST(MathOps, EinsumRejectsMalformedEquations) {
  auto a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  for (const char* e : {"ij->k", "i.j->ij", "ijk->i", "ij,jk->ik", "i$->i", "ij->ii", "..i->i"}) {
    auto out = run_op("Einsum", {{"a", a}}, 1, 12,
                      [e](onnx::NodeProto& n) { set_attr(n, "equation", std::string(e)); });
    EXPECT_FALSE(out.is_ok()) << e;
  }
}

TEST(LossOps, RejectsBadShapesAndTargets) {
  auto x = Tensor::from_vector<float>({2, 3}, {});
  auto neg = run_op("NegativeLogLikelihoodLoss", {{"x", x}, {"t", Tensor::from_vector<int64_t>({2}, {-1, 0})}});
  EXPECT_FALSE(neg.is_ok());
  auto shape = run_op("NegativeLogLikelihoodLoss", {{"x", x}, {"t", Tensor::from_vector<int64_t>({3}, {0, 0, 0})}});
  EXPECT_FALSE(shape.is_ok());
  auto weight = run_op("SoftmaxCrossEntropyLoss", {{"x", x}, {"t", Tensor::from_vector<int64_t>({2}, {0, 1})},
                                                   {"w", Tensor::from_vector<float>({2}, {1, 1})}});
  EXPECT_FALSE(weight.is_ok());
  auto rank1 = run_op("SoftmaxCrossEntropyLoss", {{"x", Tensor::from_vector<float>({3}, {})},
                                                  {"t", Tensor::from_vector<int64_t>({}, {0})}});
  EXPECT_FALSE(rank1.is_ok());
}

TEST(LogicOps, ComparisonsAndBooleans) {
  auto a = Tensor::from_vector<int64_t>({2, 2}, {1, 2, 3, 4});
  auto b = Tensor::from_vector<int64_t>({2}, {2, 2});
  auto less = run_op("Less", {{"a", a}, {"b", b}});
  ASSERT_TRUE(less.is_ok());
  EXPECT_EQ(values_of<bool>((*less)[0]), (std::vector<bool>{true, false, false, false}));
  auto ge = run_op("GreaterOrEqual", {{"a", a}, {"b", b}}, 1, 16);
  ASSERT_TRUE(ge.is_ok()) << ge.status().to_string();
  EXPECT_EQ(values_of<bool>((*ge)[0]), (std::vector<bool>{false, true, true, true}));
  auto eq = run_op("Equal", {{"a", a}, {"b", b}});
  ASSERT_TRUE(eq.is_ok());
  EXPECT_EQ(values_of<bool>((*eq)[0]), (std::vector<bool>{false, true, false, false}));
  auto p = Tensor::from_vector<bool>({4}, {true, true, false, false});
  auto q = Tensor::from_vector<bool>({4}, {true, false, true, false});
  auto x = run_op("Xor", {{"p", p}, {"q", q}});
  ASSERT_TRUE(x.is_ok());
  EXPECT_EQ(values_of<bool>((*x)[0]), (std::vector<bool>{false, true, true, false}));
  auto n = run_op("Not", {{"p", p}});
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(values_of<bool>((*n)[0]), (std::vector<bool>{false, false, true, true}));
}

TEST(LogicOps, BitShiftAndWhere) {
  auto a = Tensor::from_vector<uint8_t>({3}, {16, 4, 1});
  auto b = Tensor::from_vector<uint8_t>({3}, {1, 2, 9});
  auto left = run_op("BitShift", {{"a", a}, {"b", b}}, 1, 13,
                     [](onnx::NodeProto& n) { set_attr(n, "direction", std::string("LEFT")); });
  ASSERT_TRUE(left.is_ok()) << left.status().to_string();
  EXPECT_EQ(values_of<uint8_t>((*left)[0]), (std::vector<uint8_t>{32, 16, 0}));
  auto bad = run_op("BitShift", {{"a", a}, {"b", b}}, 1, 13,
                    [](onnx::NodeProto& n) { set_attr(n, "direction", std::string("UP")); });
  EXPECT_FALSE(bad.is_ok());

  auto c = Tensor::from_vector<bool>({2, 1}, {true, false});
  auto x = Tensor::from_vector<float>({2}, {1, 2});
  auto y = Tensor::from_vector<float>({1}, {9});
  auto w = run_op("Where", {{"c", c}, {"x", x}, {"y", y}});
  ASSERT_TRUE(w.is_ok()) << w.status().to_string();
  EXPECT_EQ((*w)[0].shape(), (Shape{2, 2}));
  expect_floats((*w)[0], {1, 2, 9, 9});
}

TEST(MathOps, CastBetweenTypes) {
  auto x = Tensor::from_vector<float>({4}, {1.7f, -2.5f, 0.0f, 300.0f});
  auto to_int = run_op("Cast", {{"x", x}}, 1, 13,
                       [](onnx::NodeProto& n) { set_attr(n, "to", static_cast<int64_t>(DataType::kInt32)); });
  ASSERT_TRUE(to_int.is_ok()) << to_int.status().to_string();
  EXPECT_EQ(values_of<int32_t>((*to_int)[0]), (std::vector<int32_t>{1, -2, 0, 300}));
  auto to_u8 = run_op("Cast", {{"x", x}}, 1, 13,
                      [](onnx::NodeProto& n) { set_attr(n, "to", static_cast<int64_t>(DataType::kUInt8)); });
  ASSERT_TRUE(to_u8.is_ok());
  EXPECT_EQ(values_of<uint8_t>((*to_u8)[0]), (std::vector<uint8_t>{1, 0, 0, 255}));  // saturates
  auto to_bool = run_op("Cast", {{"x", x}}, 1, 13,
                        [](onnx::NodeProto& n) { set_attr(n, "to", static_cast<int64_t>(DataType::kBool)); });
  ASSERT_TRUE(to_bool.is_ok());
  EXPECT_EQ(values_of<bool>((*to_bool)[0]), (std::vector<bool>{true, true, false, true}));
  auto to_half = run_op("Cast", {{"x", x}}, 1, 13,
                        [](onnx::NodeProto& n) { set_attr(n, "to", static_cast<int64_t>(DataType::kFloat16)); });
  ASSERT_TRUE(to_half.is_ok());
  EXPECT_EQ((*to_half)[0].dtype(), DataType::kFloat16);
  EXPECT_NEAR(static_cast<float>((*to_half)[0].data<Float16>()[0]), 1.7f, 1e-3f);

  auto s = Tensor::from_vector<std::string>({3}, {"1.5", "-INF", "NaN"});
  auto from_str = run_op("Cast", {{"s", s}}, 1, 13,
                         [](onnx::NodeProto& n) { set_attr(n, "to", static_cast<int64_t>(DataType::kFloat)); });
  ASSERT_TRUE(from_str.is_ok()) << from_str.status().to_string();
  expect_floats((*from_str)[0], {1.5f, -std::numeric_limits<float>::infinity(), NAN});

  auto like = Tensor::from_vector<double>({1}, {0});
  auto cl = run_op("CastLike", {{"x", x}, {"like", like}}, 1, 15);
  ASSERT_TRUE(cl.is_ok()) << cl.status().to_string();
  EXPECT_EQ((*cl)[0].dtype(), DataType::kDouble);
  EXPECT_DOUBLE_EQ((*cl)[0].data<double>()[3], 300.0);
}

TEST(MathOps, ClipAttributesAndInputs) {
  auto x = Tensor::from_vector<float>({4}, {-5, -0.5f, 0.5f, 5});
  auto old = run_op("Clip", {{"x", x}}, 1, 6, [](onnx::NodeProto& n) {
    set_attr(n, "min", -1.0f);
    set_attr(n, "max", 1.0f);
  });
  ASSERT_TRUE(old.is_ok()) << old.status().to_string();
  expect_floats((*old)[0], {-1, -0.5f, 0.5f, 1});
  auto only_max = run_op("Clip", {{"x", x}, {"", {}}, {"hi", Tensor::from_vector<float>({}, {0})}});
  ASSERT_TRUE(only_max.is_ok()) << only_max.status().to_string();
  expect_floats((*only_max)[0], {-5, -0.5f, 0, 0});
  auto xi = Tensor::from_vector<int8_t>({3}, {-100, 0, 100});
  auto ints = run_op("Clip", {{"x", xi}, {"lo", Tensor::from_vector<int8_t>({}, {-10})},
                              {"hi", Tensor::from_vector<int8_t>({}, {10})}});
  ASSERT_TRUE(ints.is_ok()) << ints.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*ints)[0]), (std::vector<int8_t>{-10, 0, 10}));
  auto bad = run_op("Clip", {{"x", x}, {"lo", Tensor::from_vector<float>({2}, {0, 1})}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("scalar"), std::string::npos) << bad.status().message();
}

TEST(MathOps, IdentityAndDropout) {
  auto x = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  auto id = run_op("Identity", {{"x", x}});
  ASSERT_TRUE(id.is_ok());
  expect_floats((*id)[0], {1, 2, 3, 4});
  auto d = run_op("Dropout", {{"x", x}}, 2, 13);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  expect_floats((*d)[0], {1, 2, 3, 4});
  EXPECT_EQ(values_of<bool>((*d)[1]), (std::vector<bool>{true, true, true, true}));
  auto zero = run_op("Dropout", {{"x", x}, {"r", Tensor::scalar<float>(0.0f)}, {"t", Tensor::scalar<bool>(true)}}, 1);
  ASSERT_TRUE(zero.is_ok()) << zero.status().to_string();
  expect_floats((*zero)[0], {1, 2, 3, 4});
  auto bad = run_op("Dropout", {{"x", x}, {"r", Tensor::scalar<float>(1.5f)}, {"t", Tensor::scalar<bool>(true)}});
  EXPECT_FALSE(bad.is_ok());
}

TEST(ActivationOps, ParametricActivations) {
  auto x = Tensor::from_vector<float>({4}, {-2, -0.5f, 0.5f, 2});
  auto leaky = run_op("LeakyRelu", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) { set_attr(n, "alpha", 0.1f); });
  ASSERT_TRUE(leaky.is_ok());
  expect_floats((*leaky)[0], {-0.2f, -0.05f, 0.5f, 2});
  auto elu = run_op("Elu", {{"x", x}});
  ASSERT_TRUE(elu.is_ok());
  expect_floats((*elu)[0], {std::exp(-2.0f) - 1, std::exp(-0.5f) - 1, 0.5f, 2});
  auto hs = run_op("HardSigmoid", {{"x", x}});
  ASSERT_TRUE(hs.is_ok());
  expect_floats((*hs)[0], {0.1f, 0.4f, 0.6f, 0.9f});
  auto sig = run_op("Sigmoid", {{"x", x}});
  ASSERT_TRUE(sig.is_ok());
  expect_floats((*sig)[0], {1 / (1 + std::exp(2.0f)), 1 / (1 + std::exp(0.5f)), 1 / (1 + std::exp(-0.5f)),
                            1 / (1 + std::exp(-2.0f))});
  auto shrink = run_op("Shrink", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) { set_attr(n, "bias", 1.0f); });
  ASSERT_TRUE(shrink.is_ok());
  expect_floats((*shrink)[0], {-1, 0, 0, 1});
  auto thr = run_op("ThresholdedRelu", {{"x", x}});
  ASSERT_TRUE(thr.is_ok());
  expect_floats((*thr)[0], {0, 0, 0, 2});
  auto sp = run_op("Softplus", {{"x", Tensor::from_vector<float>({2}, {-100, 100})}});
  ASSERT_TRUE(sp.is_ok());
  expect_floats((*sp)[0], {0, 100});
}

TEST(ActivationOps, PReluBroadcastsTheSlope) {
  auto x = Tensor::from_vector<float>({2, 3}, {-1, -2, -3, 1, 2, 3});
  auto slope = Tensor::from_vector<float>({3}, {0.5f, 1, 2});
  auto out = run_op("PRelu", {{"x", x}, {"s", slope}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_floats((*out)[0], {-0.5f, -2, -6, 1, 2, 3});
  // Opset 6: a [C] slope means the channel axis (1).
  auto ch = Tensor::from_vector<float>({2}, {0.5f, 2});
  auto x3 = Tensor::from_vector<float>({1, 2, 2}, {-1, -1, -1, -1});
  TestModel m(6);
  m.input("x", DataType::kFloat, {1, 2, 2});
  m.input("s", DataType::kFloat, {2});
  m.node("PRelu", {"x", "s"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto legacy = (*s)->run({x3, ch});
  ASSERT_TRUE(legacy.is_ok()) << legacy.status().to_string();
  expect_floats((*legacy)[0], {-0.5f, -0.5f, -2, -2});
}

TEST(ActivationOps, SoftmaxFamilyAxes) {
  auto x = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 1, 1, 1});
  auto sm = run_op("Softmax", {{"x", x}});
  ASSERT_TRUE(sm.is_ok()) << sm.status().to_string();
  const float e1 = std::exp(1.0f), e2 = std::exp(2.0f), e3 = std::exp(3.0f), z = e1 + e2 + e3;
  expect_floats((*sm)[0], {e1 / z, e2 / z, e3 / z, 1 / 3.0f, 1 / 3.0f, 1 / 3.0f});
  auto col = run_op("Softmax", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) { set_attr(n, "axis", 0); });
  ASSERT_TRUE(col.is_ok());
  expect_floats((*col)[0], {0.5f, e2 / (e2 + e1), e3 / (e3 + e1), 0.5f, e1 / (e2 + e1), e1 / (e3 + e1)});
  auto lsm = run_op("LogSoftmax", {{"x", x}});
  ASSERT_TRUE(lsm.is_ok());
  expect_floats((*lsm)[0], {std::log(e1 / z), std::log(e2 / z), std::log(e3 / z), std::log(1 / 3.0f),
                            std::log(1 / 3.0f), std::log(1 / 3.0f)});
  // Opset 11 flattens around axis 1: a [1,2,2] input is one row of 4.
  auto x3 = Tensor::from_vector<float>({1, 2, 2}, {0, 3, 1, 3});
  auto hm = run_op("Hardmax", {{"x", x3}}, 1, 11);
  ASSERT_TRUE(hm.is_ok()) << hm.status().to_string();
  expect_floats((*hm)[0], {0, 1, 0, 0});
  auto hm13 = run_op("Hardmax", {{"x", x3}}, 1, 13);
  ASSERT_TRUE(hm13.is_ok());
  expect_floats((*hm13)[0], {0, 1, 0, 1});
  auto bad = run_op("Softmax", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) { set_attr(n, "axis", 5); });
  EXPECT_FALSE(bad.is_ok());
}

TEST(MathOps, Einsum) {
  auto a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto b = Tensor::from_vector<float>({3, 2}, {1, 0, 0, 1, 1, 1});
  auto eq = [](const char* e) { return [e](onnx::NodeProto& n) { set_attr(n, "equation", std::string(e)); }; };
  auto mm = run_op("Einsum", {{"a", a}, {"b", b}}, 1, 12, eq("ij,jk->ik"));
  ASSERT_TRUE(mm.is_ok()) << mm.status().to_string();
  expect_floats((*mm)[0], {4, 5, 10, 11});
  auto tr = run_op("Einsum", {{"a", a}}, 1, 12, eq("ij->ji"));
  ASSERT_TRUE(tr.is_ok());
  EXPECT_EQ((*tr)[0].shape(), (Shape{3, 2}));
  expect_floats((*tr)[0], {1, 4, 2, 5, 3, 6});
  auto sq = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  auto trace = run_op("Einsum", {{"a", sq}}, 1, 12, eq("ii"));
  ASSERT_TRUE(trace.is_ok()) << trace.status().to_string();
  expect_floats((*trace)[0], {5});
  auto batch = run_op("Einsum", {{"a", a}}, 1, 12, eq("...j->..."));
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  expect_floats((*batch)[0], {6, 15});
  auto bad = run_op("Einsum", {{"a", a}, {"b", a}}, 1, 12, eq("ij,jk->ik"));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("disagree"), std::string::npos) << bad.status().message();
}

TEST(LossOps, NegativeLogLikelihoodLoss) {
  // N=2, C=3
  auto x = Tensor::from_vector<float>({2, 3}, {-1, -2, -3, -4, -5, -6});
  auto t = Tensor::from_vector<int64_t>({2}, {2, 0});
  auto w = Tensor::from_vector<float>({3}, {1, 2, 3});
  auto none = run_op("NegativeLogLikelihoodLoss", {{"x", x}, {"t", t}}, 1, 13,
                     [](onnx::NodeProto& n) { set_attr(n, "reduction", std::string("none")); });
  ASSERT_TRUE(none.is_ok()) << none.status().to_string();
  expect_floats((*none)[0], {3, 4});
  auto mean_w = run_op("NegativeLogLikelihoodLoss", {{"x", x}, {"t", t}, {"w", w}});
  ASSERT_TRUE(mean_w.is_ok()) << mean_w.status().to_string();
  expect_floats((*mean_w)[0], {(3 * 3 + 4 * 1) / 4.0f});
  auto ignored = run_op("NegativeLogLikelihoodLoss", {{"x", x}, {"t", t}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "reduction", std::string("sum"));
    set_attr(n, "ignore_index", 0);
  });
  ASSERT_TRUE(ignored.is_ok());
  expect_floats((*ignored)[0], {3});
  auto bad = run_op("NegativeLogLikelihoodLoss", {{"x", x}, {"t", Tensor::from_vector<int64_t>({2}, {7, 0})}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("out of range"), std::string::npos) << bad.status().message();
}

TEST(LossOps, SoftmaxCrossEntropyLoss) {
  auto x = Tensor::from_vector<float>({2, 2, 1}, {0, 0, 1, 3});
  auto t = Tensor::from_vector<int32_t>({2, 1}, {1, 0});
  auto out = run_op("SoftmaxCrossEntropyLoss", {{"x", x}, {"t", t}}, 2);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const float l0 = std::log(2.0f);
  const float l1 = std::log(1 + std::exp(2.0f));
  expect_floats((*out)[0], {(l0 + l1) / 2});
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 2, 1}));
  expect_floats((*out)[1], {-l0, -l0, -l1, 2 - l1});
  auto bad = run_op("SoftmaxCrossEntropyLoss", {{"x", x}, {"t", Tensor::from_vector<int32_t>({2}, {0, 1})}});
  EXPECT_FALSE(bad.is_ok());
}

}  // namespace
}  // namespace fogline::engine
