// qdq-to-qlinear: a small QDQ network as ONNX Runtime's quantiser writes it (Q/DQ around every
// activation, constant int8 weights behind DequantizeLinear, int32 bias behind DQ, Relu and
// Clip between Conv and Q) becomes QLinearConv / QLinearAdd / QLinearGlobalAveragePool /
// QLinearMatMul; the 8-bit results match the float QDQ graph within a quantisation step, and
// the oneDNN kernels match the reference kernels on the rewritten graph bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <tuple>
#include <map>

#include "engine/model_builder.h"
#include "engine/ops/dnnl/quant_params.h"
#include "engine/session.h"

namespace fogline::engine {
namespace {

using testing::set_attr;
using testing::TestModel;

Tensor random_floats(const Shape& shape, uint32_t seed, float lo, float hi) {
  Tensor t = std::move(Tensor::allocate(DataType::kFloat, shape)).value();
  uint32_t s = seed * 2654435761u + 3;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data<float>()[i] = lo + (hi - lo) * static_cast<float>((s >> 8) & 0xffff) / 65535.f;
  }
  return t;
}

Tensor random_i8(const Shape& shape, uint32_t seed) {
  Tensor t = std::move(Tensor::allocate(DataType::kInt8, shape)).value();
  uint32_t s = seed * 2654435761u + 5;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data<int8_t>()[i] = static_cast<int8_t>(static_cast<int>((s >> 8) % 255) - 127);
  }
  return t;
}

// x -> Q -> DQ -> Conv+Relu -> Q (a) -> DQ -> Conv(depthwise)+Clip(0,6) -> Q (b);
// DQ(a) + DQ(b) -> Q (c) -> DQ -> GlobalAveragePool -> Q (d) -> DQ -> Flatten -> Q -> DQ ->
// MatMul(DQ(W)) -> Q (e). The Q outputs a..e are graph outputs (uint8).
TestModel qdq_model() {
  TestModel m(13);
  const int64_t c = 16;
  m.input("x", DataType::kFloat, {1, 8, 12, 12});
  auto scalar = [&](const std::string& name, float s, uint8_t z) {
    m.initializer(name + "_s", Tensor::scalar<float>(s));
    m.initializer(name + "_z", Tensor::scalar<uint8_t>(z));
  };
  auto q = [&](const std::string& in, const std::string& out, const std::string& p) {
    m.node("QuantizeLinear", {in, p + "_s", p + "_z"}, {out});
  };
  auto dq = [&](const std::string& in, const std::string& out, const std::string& p) {
    m.node("DequantizeLinear", {in, p + "_s", p + "_z"}, {out});
  };
  auto weights = [&](const std::string& name, const Shape& shape, int64_t channels, int64_t axis, float scale,
                     uint32_t seed) {
    m.initializer(name + "_q", random_i8(shape, seed));
    std::vector<float> s(static_cast<size_t>(channels));
    for (size_t i = 0; i < s.size(); ++i) s[i] = scale * (0.6f + 0.05f * static_cast<float>(i % 9));
    m.initializer(name + "_ws", Tensor::from_vector<float>({channels}, s));
    m.initializer(name + "_wz", Tensor::from_vector<int8_t>({channels}, std::vector<int8_t>(s.size(), 0)));
    auto& n = m.node("DequantizeLinear", {name + "_q", name + "_ws", name + "_wz"}, {name});
    set_attr(n, "axis", axis);
    return s;
  };
  scalar("in", 0.02f, 128);
  scalar("a", 0.03f, 0);
  scalar("b", 0.025f, 0);
  scalar("c", 0.04f, 0);
  scalar("d", 0.02f, 0);
  scalar("e", 0.05f, 128);
  q("x", "xq", "in");
  dq("xq", "xf", "in");
  // Conv 1: int32 bias behind DQ with scale x_scale * w_scale (as ORT writes it).
  auto s1 = weights("w1", {c, 8, 3, 3}, c, 0, 0.004f, 1);
  std::vector<float> bs(s1.size());
  for (size_t i = 0; i < bs.size(); ++i) bs[i] = 0.02f * s1[i];
  m.initializer("b1_q", Tensor::from_vector<int32_t>({c}, std::vector<int32_t>{300, -200, 50, 0, 1000, -999, 7, 8,
                                                                              9, 10, -11, 12, 13, 14, 15, -1600}));
  m.initializer("b1_s", Tensor::from_vector<float>({c}, bs));
  // With an explicit all-zero int32 zero point, as Fogline's optimiser writes it.
  m.initializer("b1_z", Tensor::from_vector<int32_t>({c}, std::vector<int32_t>(static_cast<size_t>(c), 0)));
  set_attr(m.node("DequantizeLinear", {"b1_q", "b1_s", "b1_z"}, {"b1"}), "axis", int64_t{0});
  auto& c1 = m.node("Conv", {"xf", "w1", "b1"}, {"c1"});
  set_attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Relu", {"c1"}, {"r1"});
  q("r1", "a", "a");
  dq("a", "af", "a");
  // Conv 2: depthwise, float bias, Clip(0, 6) as ReLU6.
  weights("w2", {c, 1, 3, 3}, c, 0, 0.01f, 2);
  m.initializer("b2", random_floats({c}, 3, -0.3f, 0.3f));
  auto& c2 = m.node("Conv", {"af", "w2", "b2"}, {"c2"});
  set_attr(c2, "group", c);
  set_attr(c2, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.initializer("lo", Tensor::scalar<float>(0.f));
  m.initializer("hi", Tensor::scalar<float>(6.f));
  m.node("Clip", {"c2", "lo", "hi"}, {"r2"});
  q("r2", "b", "b");
  dq("b", "bf", "b");
  m.node("Add", {"af", "bf"}, {"sum"});
  q("sum", "cq", "c");
  dq("cq", "cf", "c");
  m.node("GlobalAveragePool", {"cf"}, {"gap"});
  q("gap", "dq", "d");
  dq("dq", "df", "d");
  auto& fl = m.node("Flatten", {"df"}, {"flat"});
  set_attr(fl, "axis", int64_t{1});
  q("flat", "flq", "d");
  dq("flq", "flf", "d");
  m.initializer("w3_q", random_i8({c, 10}, 4));
  m.initializer("w3_s", Tensor::scalar<float>(0.01f));
  m.initializer("w3_z", Tensor::scalar<int8_t>(0));
  m.node("DequantizeLinear", {"w3_q", "w3_s", "w3_z"}, {"w3"});
  m.node("MatMul", {"flf", "w3"}, {"mm"});
  q("mm", "eq", "e");
  for (const char* o : {"a", "b", "cq", "dq", "eq"}) m.output(o, DataType::kUInt8);
  return m;
}

std::map<std::string, int> op_counts(const Session& s) {
  std::map<std::string, int> counts;
  for (const Node& n : s.graph().nodes)
    if (!n.dead) ++counts[n.op_type];
  return counts;
}

TEST(QdqToQLinear, RewritesTheQdqPatternsIntoEightBitOps) {
  TestModel m = qdq_model();
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto ops = op_counts(**s);
  EXPECT_EQ(ops["QLinearConv"], 2);
  EXPECT_EQ(ops["QLinearAdd"], 1);
  EXPECT_EQ(ops["QLinearGlobalAveragePool"], 1);
  EXPECT_EQ(ops["QLinearMatMul"], 1);
  EXPECT_EQ(ops["Conv"] + ops["Relu"] + ops["Clip"] + ops["Add"] + ops["MatMul"] + ops["GlobalAveragePool"], 0);
  // Only the input's QuantizeLinear and the float Flatten's Q/DQ stay.
  EXPECT_EQ(ops["QuantizeLinear"], 2);
  int clamps = 0;
  for (const Node& n : (*s)->graph().nodes) {
    if (n.dead || n.op_type != "QLinearConv") continue;
    clamps += static_cast<int>(n.post_ops.size());
    if (n.name == "Conv_2" || (*s)->graph().values[static_cast<size_t>(n.inputs[3])].name == "w1_q") {
      // The int32 bias behind DQ (scale x_scale * w_scale, zero points 0) is used as it is.
      EXPECT_EQ((*s)->graph().values[static_cast<size_t>(n.inputs[8])].name, "b1_q");
    }
  }
  EXPECT_EQ(clamps, 2);
}

TEST(QdqToQLinear, MatchesTheFloatQdqGraphAndTheKernelsAgree) {
  TestModel m = qdq_model();
  SessionOptions fast_opts, ref_opts, float_opts;
  ref_opts.reference_only = true;
  float_opts.reference_only = true;
  float_opts.optimize = false;  // the QDQ graph as written: float ops between Q and DQ
  auto fast = m.session(fast_opts);
  auto ref = m.session(ref_opts);
  auto flt = m.session(float_opts);
  ASSERT_TRUE(fast.is_ok() && ref.is_ok() && flt.is_ok());
  EXPECT_EQ(op_counts(**ref)["QLinearConv"], 2) << "the reference kernel set gets the rewrite too";
  const Tensor x = random_floats({1, 8, 12, 12}, 9, -2.f, 2.f);
  auto a = (*fast)->run({x});
  auto b = (*ref)->run({x});
  auto f = (*flt)->run({x});
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  const char* names[] = {"a", "b", "c", "d", "e"};
  for (size_t o = 0; o < 5; ++o) {
    SCOPED_TRACE(names[o]);
    const Tensor& ta = (*a)[o];
    const Tensor& tb = (*b)[o];
    const Tensor& tf = (*f)[o];
    ASSERT_EQ(ta.shape(), tf.shape());
    int64_t differ_kernels = 0, differ_float = 0, distinct = 0;
    int worst = 0;
    std::vector<char> seen(256, 0);
    for (int64_t i = 0; i < ta.numel(); ++i) {
      const int va = ta.data<uint8_t>()[i], vb = tb.data<uint8_t>()[i], vf = tf.data<uint8_t>()[i];
      differ_kernels += va != vb;
      differ_float += va != vf;
      worst = std::max(worst, std::abs(va - vf));
      distinct += !seen[static_cast<size_t>(va)];
      seen[static_cast<size_t>(va)] = 1;
    }
    EXPECT_EQ(differ_kernels, 0) << "oneDNN and reference kernels disagree";
    // Integer sums vs float sums: a value sitting on a rounding boundary may move by one step,
    // and that one step can move a later layer's value by one more.
    EXPECT_LE(worst, 2);
    EXPECT_LE(differ_float, std::max<int64_t>(2, ta.numel() / 20)) << "max diff " << worst;
    if (ta.numel() > 50) EXPECT_GT(distinct, 10) << "outputs should not be saturated";
  }
}

// SiLU as quantisers write it between two convs: x*sigmoid(x) with Q/DQ around each op. It
// becomes QLinearConv -> QLinearSigmoid, QLinearMul -> QLinearConv, all kept in NHWC.
TEST(QdqToQLinear, SiluBlockStaysInEightBitsAndNhwc) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 8, 10, 10});
  auto scalar = [&](const std::string& name, float s, uint8_t z) {
    m.initializer(name + "_s", Tensor::scalar<float>(s));
    m.initializer(name + "_z", Tensor::scalar<uint8_t>(z));
  };
  auto q = [&](const std::string& in, const std::string& out, const std::string& p) {
    m.node("QuantizeLinear", {in, p + "_s", p + "_z"}, {out});
  };
  auto dq = [&](const std::string& in, const std::string& out, const std::string& p) {
    m.node("DequantizeLinear", {in, p + "_s", p + "_z"}, {out});
  };
  auto conv = [&](const std::string& in, const std::string& out, uint32_t seed) {
    m.initializer(out + "_wq", random_i8({8, 8, 3, 3}, seed));
    m.initializer(out + "_ws", Tensor::scalar<float>(0.003f));
    m.initializer(out + "_wz", Tensor::scalar<int8_t>(0));
    m.node("DequantizeLinear", {out + "_wq", out + "_ws", out + "_wz"}, {out + "_w"});
    set_attr(m.node("Conv", {in, out + "_w"}, {out}), "pads", std::vector<int64_t>{1, 1, 1, 1});
  };
  scalar("in", 0.02f, 128);
  scalar("a", 0.04f, 120);
  scalar("s", 1.f / 255.f, 0);
  scalar("m", 0.03f, 100);
  scalar("o", 0.05f, 128);
  q("x", "xq", "in");
  dq("xq", "xf", "in");
  conv("xf", "c1", 11);
  q("c1", "aq", "a");
  dq("aq", "af", "a");
  m.node("Sigmoid", {"af"}, {"sg"});
  q("sg", "sq", "s");
  dq("sq", "sf", "s");
  m.node("Mul", {"af", "sf"}, {"mul"});
  q("mul", "mq", "m");
  dq("mq", "mf", "m");
  conv("mf", "c2", 12);
  q("c2", "oq", "o");
  m.output("oq", DataType::kUInt8);
  m.output("sq", DataType::kUInt8);

  SessionOptions ref_opts, float_opts;
  ref_opts.reference_only = true;
  float_opts.reference_only = true;
  float_opts.optimize = false;
  auto fast = m.session();
  auto ref = m.session(ref_opts);
  auto flt = m.session(float_opts);
  ASSERT_TRUE(fast.is_ok() && ref.is_ok() && flt.is_ok());
  auto ops = op_counts(**fast);
  EXPECT_EQ(ops["QLinearConv"], 2);
  EXPECT_EQ(ops["QLinearSigmoid"], 1);
  EXPECT_EQ(ops["QLinearMul"], 1);
  EXPECT_EQ(ops["DequantizeLinear"], 0);
  if (ops::dnnl_ops::cpu_has_int8_dot()) {
    int tagged = 0;
    for (const Value& v : (*fast)->graph().values) tagged += v.layout == "nhwc";
    EXPECT_GE(tagged, 2) << "the SiLU's 8-bit values should stay in NHWC";
  }
  const Tensor x = random_floats({1, 8, 10, 10}, 21, -2.f, 2.f);
  auto a = (*fast)->run({x});
  auto b = (*ref)->run({x});
  auto f = (*flt)->run({x});
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(b.is_ok() && f.is_ok());
  for (size_t o = 0; o < 2; ++o) {
    int64_t differ_kernels = 0, differ_float = 0;
    int worst = 0;
    for (int64_t i = 0; i < (*a)[o].numel(); ++i) {
      const int va = (*a)[o].data<uint8_t>()[i], vb = (*b)[o].data<uint8_t>()[i], vf = (*f)[o].data<uint8_t>()[i];
      differ_kernels += va != vb;
      differ_float += va != vf;
      worst = std::max(worst, std::abs(va - vf));
    }
    EXPECT_EQ(differ_kernels, 0) << "output " << o;
    EXPECT_LE(worst, 2) << "output " << o;
    EXPECT_LE(differ_float, (*a)[o].numel() / 20) << "output " << o;
  }
}

// MaxPool between Q/DQ with the same parameters runs on the 8-bit values, and Concat becomes
// QLinearConcat; both give exactly the float QDQ graph's values (max commutes with the
// monotone dequantisation; QLinearConcat requantises with the same float arithmetic as Q).
TEST(QdqToQLinear, MaxPoolAndConcatMatchTheFloatGraphExactly) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 4, 9, 9});
  m.input("y", DataType::kFloat, {1, 3, 4, 4});
  for (auto [name, s, z] : {std::tuple{"in", 0.02f, 128}, {"iy", 0.05f, 100}, {"o", 0.03f, 90}}) {
    m.initializer(std::string(name) + "_s", Tensor::scalar<float>(s));
    m.initializer(std::string(name) + "_z", Tensor::scalar<uint8_t>(static_cast<uint8_t>(z)));
  }
  m.node("QuantizeLinear", {"x", "in_s", "in_z"}, {"xq"});
  m.node("DequantizeLinear", {"xq", "in_s", "in_z"}, {"xf"});
  auto& pool = m.node("MaxPool", {"xf"}, {"p"});
  set_attr(pool, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(pool, "strides", std::vector<int64_t>{2, 2});
  m.node("QuantizeLinear", {"p", "in_s", "in_z"}, {"pq"});
  m.node("DequantizeLinear", {"pq", "in_s", "in_z"}, {"pf"});
  m.node("QuantizeLinear", {"y", "iy_s", "iy_z"}, {"yq"});
  m.node("DequantizeLinear", {"yq", "iy_s", "iy_z"}, {"yf"});
  set_attr(m.node("Concat", {"pf", "yf"}, {"cat"}), "axis", int64_t{1});
  m.node("QuantizeLinear", {"cat", "o_s", "o_z"}, {"out"});
  m.output("out", DataType::kUInt8);
  m.output("pq", DataType::kUInt8);
  SessionOptions float_opts;
  float_opts.reference_only = true;
  float_opts.optimize = false;
  auto fast = m.session();
  auto flt = m.session(float_opts);
  ASSERT_TRUE(fast.is_ok() && flt.is_ok());
  auto ops = op_counts(**fast);
  EXPECT_EQ(ops["QLinearConcat"], 1);
  EXPECT_EQ(ops["MaxPool"], 1);
  EXPECT_EQ(ops["DequantizeLinear"], 0);
  const Tensor x = random_floats({1, 4, 9, 9}, 31, -2.f, 2.f);
  const Tensor y = random_floats({1, 3, 4, 4}, 32, -6.f, 6.f);
  auto a = (*fast)->run({x, y});
  auto f = (*flt)->run({x, y});
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(f.is_ok());
  for (size_t o = 0; o < 2; ++o) {
    ASSERT_EQ((*a)[o].shape(), (*f)[o].shape());
    EXPECT_EQ(std::memcmp((*a)[o].raw(), (*f)[o].raw(), static_cast<size_t>((*a)[o].numel())), 0) << "output " << o;
  }
}

// A classifier's last MatMul reads a quantised activation but writes float logits (no Q):
// it becomes MatMulInteger -> Cast -> Mul with the column scales a_scale * w_scale[n], int8
// weights kept, and equals the float QDQ graph to float rounding.
TEST(QdqToQLinear, MatMulWithAFloatOutputBecomesMatMulInteger) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {2, 32});
  m.initializer("x_s", Tensor::scalar<float>(0.02f));
  m.initializer("x_z", Tensor::scalar<uint8_t>(100));
  m.node("QuantizeLinear", {"x", "x_s", "x_z"}, {"xq"});
  m.node("DequantizeLinear", {"xq", "x_s", "x_z"}, {"xf"});
  m.initializer("w_q", random_i8({32, 24}, 11));
  std::vector<float> ws(24);
  for (size_t i = 0; i < ws.size(); ++i) ws[i] = 0.003f * static_cast<float>(1 + i % 5);
  m.initializer("w_s", Tensor::from_vector<float>({24}, ws));
  m.initializer("w_z", Tensor::from_vector<int8_t>({24}, std::vector<int8_t>(24, 0)));
  set_attr(m.node("DequantizeLinear", {"w_q", "w_s", "w_z"}, {"w"}), "axis", int64_t{1});
  m.node("MatMul", {"xf", "w"}, {"y"});
  m.output("y");
  SessionOptions float_opts;
  float_opts.optimize = false;
  auto fast = m.session();
  auto flt = m.session(float_opts);
  ASSERT_TRUE(fast.is_ok()) << fast.status().to_string();
  ASSERT_TRUE(flt.is_ok()) << flt.status().to_string();
  auto ops = op_counts(**fast);
  EXPECT_EQ(ops["MatMulInteger"], 1);
  EXPECT_EQ(ops["MatMul"], 0);
  EXPECT_EQ(ops["Cast"], 1);
  EXPECT_EQ(ops["Mul"], 1);
  const Tensor x = random_floats({2, 32}, 12, -2.f, 3.f);
  auto a = (*fast)->run({x});
  auto f = (*flt)->run({x});
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  ASSERT_EQ((*a)[0].shape(), (*f)[0].shape());
  double largest = 0;
  for (int64_t i = 0; i < (*f)[0].numel(); ++i) largest = std::max(largest, std::fabs((double)(*f)[0].data<float>()[i]));
  ASSERT_GT(largest, 0.1);
  for (int64_t i = 0; i < (*a)[0].numel(); ++i) {
    EXPECT_NEAR((*a)[0].data<float>()[i], (*f)[0].data<float>()[i], 1e-5 * largest) << "at " << i;
  }
}

}  // namespace
}  // namespace fogline::engine

namespace fogline::engine {
namespace {

// Runs `m` on the oneDNN kernels and on the reference kernels with input `x` and expects the
// same 8-bit output bytes; returns the oneDNN session (for assertions on its graph) and the
// output's shape.
std::unique_ptr<Session> expect_reference_bytes(const TestModel& m, const Tensor& x, Shape* shape) {
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  auto fast = m.session();
  auto ref = m.session(ref_opts);
  EXPECT_TRUE(fast.is_ok()) << fast.status().to_string();
  EXPECT_TRUE(ref.is_ok()) << ref.status().to_string();
  if (!fast.is_ok() || !ref.is_ok()) return nullptr;
  auto a = (*fast)->run({x});
  auto b = (*ref)->run({x});
  EXPECT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_TRUE(b.is_ok()) << b.status().to_string();
  if (!a.is_ok() || !b.is_ok()) return nullptr;
  *shape = (*a)[0].shape();
  EXPECT_EQ((*a)[0].shape(), (*b)[0].shape());
  int64_t differ = 0;
  for (int64_t i = 0; i < (*a)[0].numel() && i < (*b)[0].numel(); ++i) {
    differ += (*a)[0].data<uint8_t>()[i] != (*b)[0].data<uint8_t>()[i];
  }
  EXPECT_EQ(differ, 0) << "bytes differing from the reference kernels";
  return std::move(fast).value();
}

// Squeeze-and-excitation as quantisers write it: the pool reads an activation no oneDNN node
// wrote (plain NCHW) and feeds an int8 convolution, so only the pool's output is in NHWC. It
// loads (it used to fail: "unexpected layout tags") and matches the reference kernels.
TEST(QdqToQLinear, PoolWithAPlainInputAndAnNhwcOutput) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 8, 6, 6});
  for (const char* p : {"in", "g", "o"}) {
    m.initializer(std::string(p) + "_s", Tensor::scalar<float>(0.02f));
    m.initializer(std::string(p) + "_z", Tensor::scalar<uint8_t>(128));
  }
  m.node("QuantizeLinear", {"x", "in_s", "in_z"}, {"xq"});
  m.node("DequantizeLinear", {"xq", "in_s", "in_z"}, {"xf"});
  m.node("GlobalAveragePool", {"xf"}, {"gap"});
  m.node("QuantizeLinear", {"gap", "g_s", "g_z"}, {"gq"});
  m.node("DequantizeLinear", {"gq", "g_s", "g_z"}, {"gf"});
  m.initializer("w_q", random_i8({8, 8, 1, 1}, 21));
  m.initializer("w_s", Tensor::scalar<float>(0.01f));
  m.initializer("w_z", Tensor::scalar<int8_t>(0));
  m.node("DequantizeLinear", {"w_q", "w_s", "w_z"}, {"w"});
  m.node("Conv", {"gf", "w"}, {"c"});
  m.node("QuantizeLinear", {"c", "o_s", "o_z"}, {"y"});
  m.output("y", DataType::kUInt8);
  Shape shape;
  auto fast = expect_reference_bytes(m, random_floats({1, 8, 6, 6}, 23, -2.f, 2.f), &shape);
  ASSERT_TRUE(fast);
  const Graph& g = fast->graph();
  bool tagged_pool = false;
  for (const Node& n : g.nodes) {
    if (n.dead || n.op_type != "QLinearGlobalAveragePool") continue;
    EXPECT_EQ(g.values[static_cast<size_t>(n.inputs[0])].layout, "");
    tagged_pool = g.values[static_cast<size_t>(n.outputs[0])].layout == "nhwc";
  }
  EXPECT_TRUE(tagged_pool) << "the case under test: a plain input, an NHWC output";
}

}  // namespace
}  // namespace fogline::engine

namespace fogline::engine {
namespace {

// An 8-bit MaxPool between two int8 convolutions (ResNet's stem, SqueezeNet) runs on oneDNN
// inside the NHWC region and gives the reference kernels' bytes.
TEST(QdqToQLinear, EightBitMaxPoolStaysInTheRegion) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {1, 8, 9, 9});
  for (const char* p : {"in", "a", "o"}) {
    m.initializer(std::string(p) + "_s", Tensor::scalar<float>(0.03f));
    m.initializer(std::string(p) + "_z", Tensor::scalar<uint8_t>(100));
  }
  auto conv = [&](const std::string& in, const std::string& out, uint32_t seed) {
    m.initializer(out + "_wq", random_i8({8, 8, 3, 3}, seed));
    m.initializer(out + "_ws", Tensor::scalar<float>(0.004f));
    m.initializer(out + "_wz", Tensor::scalar<int8_t>(0));
    m.node("DequantizeLinear", {out + "_wq", out + "_ws", out + "_wz"}, {out + "_w"});
    set_attr(m.node("Conv", {in, out + "_w"}, {out}), "pads", std::vector<int64_t>{1, 1, 1, 1});
  };
  m.node("QuantizeLinear", {"x", "in_s", "in_z"}, {"xq"});
  m.node("DequantizeLinear", {"xq", "in_s", "in_z"}, {"xf"});
  conv("xf", "c1", 31);
  m.node("QuantizeLinear", {"c1", "a_s", "a_z"}, {"aq"});
  m.node("DequantizeLinear", {"aq", "a_s", "a_z"}, {"af"});
  auto& mp = m.node("MaxPool", {"af"}, {"p"});
  set_attr(mp, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(mp, "strides", std::vector<int64_t>{2, 2});
  set_attr(mp, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("QuantizeLinear", {"p", "a_s", "a_z"}, {"pq"});
  m.node("DequantizeLinear", {"pq", "a_s", "a_z"}, {"pf"});
  conv("pf", "c2", 32);
  m.node("QuantizeLinear", {"c2", "o_s", "o_z"}, {"y"});
  m.output("y", DataType::kUInt8);
  Shape shape;
  auto fast = expect_reference_bytes(m, random_floats({1, 8, 9, 9}, 33, -2.f, 2.f), &shape);
  ASSERT_TRUE(fast);
  const Graph& g = fast->graph();
  int pools = 0;
  for (const Node& n : g.nodes) {
    if (n.dead || n.op_type != "MaxPool") continue;
    ++pools;
    const Value& in = g.values[static_cast<size_t>(n.inputs[0])];
    const Value& out = g.values[static_cast<size_t>(n.outputs[0])];
    EXPECT_EQ(in.type.dtype, DataType::kUInt8);
    EXPECT_EQ(in.layout, "nhwc");
    EXPECT_EQ(out.layout, "nhwc");
  }
  EXPECT_EQ(pools, 1);
}

}  // namespace
}  // namespace fogline::engine

namespace fogline::engine {
namespace {

// An 8-bit MaxPool on plain NCHW bytes (after a QLinearConcat, or a uint8 graph input): oneDNN
// pools 8-bit values only channels-last, so the kernel reorders; the bytes are the reference's.
TEST(QdqToQLinear, EightBitMaxPoolOnPlainBytes) {
  TestModel m(13);
  m.input("x", DataType::kUInt8, {1, 5, 12, 12});
  auto& mp = m.node("MaxPool", {"x"}, {"y"});
  set_attr(mp, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(mp, "strides", std::vector<int64_t>{2, 2});
  set_attr(mp, "ceil_mode", int64_t{1});
  m.output("y", DataType::kUInt8);
  Tensor x = std::move(Tensor::allocate(DataType::kUInt8, {1, 5, 12, 12})).value();
  for (int64_t i = 0; i < x.numel(); ++i) x.data<uint8_t>()[i] = static_cast<uint8_t>((i * 37 + 11) % 251);
  Shape shape;
  ASSERT_TRUE(expect_reference_bytes(m, x, &shape));
  EXPECT_EQ(shape, (Shape{1, 5, 6, 6}));  // ceil_mode
}

}  // namespace
}  // namespace fogline::engine
