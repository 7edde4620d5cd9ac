// If / Loop / Scan and the misc ops (windows, DFT, STFT, Det, StringNormalizer,
// TfIdfVectorizer, MelWeightMatrix, random ops) on small hand-built models.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "../model_builder.h"

namespace fogline::engine {
namespace {

using testing::TestModel;
using testing::set_attr;

// A body graph for an If/Loop/Scan attribute.
struct Body {
  onnx::GraphProto g;
  explicit Body(const std::string& name) { g.set_name(name); }
  Body& input(const std::string& name, DataType dt, const Shape* shape = nullptr) {
    auto* vi = g.add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(static_cast<int>(dt));
    if (shape) {
      auto* s = tt->mutable_shape();
      for (int64_t d : *shape) s->add_dim()->set_dim_value(d);
    }
    return *this;
  }
  Body& output(const std::string& name, DataType dt, const Shape& shape) {
    auto* vi = g.add_output();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(static_cast<int>(dt));
    auto* s = tt->mutable_shape();
    for (int64_t d : shape) s->add_dim()->set_dim_value(d);
    return *this;
  }
  Body& node(const std::string& op, const std::vector<std::string>& ins, const std::vector<std::string>& outs) {
    auto* n = g.add_node();
    n->set_op_type(op);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return *this;
  }
};

const Shape kS0{}, kS2{2}, kS3{3}, kS4{4}, kS32{3, 2}, kS23{2, 3};

void set_graph(onnx::NodeProto& n, const std::string& name, const Body& b) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::GRAPH);
  *a->mutable_g() = b.g;
}

void set_strings(onnx::NodeProto& n, const std::string& name, const std::vector<std::string>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRINGS);
  for (const auto& s : v) a->add_strings(s);
}

std::vector<float> floats(const Tensor& t) {
  std::vector<float> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(static_cast<float>(t.value_as_double(i)));
  return v;
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// ---- If ----

TestModel if_model() {
  TestModel m(13);
  m.input("c", DataType::kBool, {});
  m.input("x", DataType::kFloat, {3});
  m.initializer("one", Tensor::from_vector<float>({1}, {1.0f}));
  m.node("Add", {"x", "x"}, {"x2"});  // read only by the branch
  Body then_b("then");
  then_b.node("Add", {"x2", "one"}, {"t"}).output("t", DataType::kFloat, kS3);
  Body else_b("else");
  else_b.output("x", DataType::kFloat, kS3);  // an outer value passed straight through
  auto& n = m.node("If", {"c"}, {"y"});
  set_graph(n, "then_branch", then_b);
  set_graph(n, "else_branch", else_b);
  m.output("y", DataType::kFloat, &kS3);
  return m;
}

TEST(ControlOps, IfRunsTheChosenBranchWithOuterValues) {
  auto s = if_model().session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto x = Tensor::from_vector<float>({3}, {1, 2, 3});
  for (int rep = 0; rep < 2; ++rep) {  // second run uses the memory plan
    auto yes = (*s)->run({Tensor::scalar<bool>(true), x});
    ASSERT_TRUE(yes.is_ok()) << yes.status().to_string();
    expect_near(floats((*yes)[0]), {3, 5, 7});
    auto no = (*s)->run({Tensor::scalar<bool>(false), x});
    ASSERT_TRUE(no.is_ok()) << no.status().to_string();
    expect_near(floats((*no)[0]), {1, 2, 3});
  }
}

TEST(ControlOps, IfRunsConcurrentlyOnOneSession) {
  auto s = if_model().session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  const Session& session = **s;
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 100; ++k) {
        const bool c = (k + t) % 2 == 0;
        const float v = static_cast<float>(k);
        auto out = session.run({Tensor::scalar<bool>(c), Tensor::from_vector<float>({3}, {v, v, v})});
        const float want = c ? 2 * v + 1 : v;
        if (!out.is_ok() || (*out)[0].data<float>()[2] != want) wrong[static_cast<size_t>(t)]++;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

TEST(ControlOps, IfRejectsAConditionWithSeveralElements) {
  TestModel m = if_model();
  m.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(2);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({Tensor::from_vector<bool>({2}, {true, false}), Tensor::from_vector<float>({3}, {1, 2, 3})});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("cond"), std::string::npos) << out.status().message();
}

// ---- Loop ----

TEST(ControlOps, LoopCarriesValuesAndStacksScanOutputs) {
  TestModel m(13);
  m.input("m", DataType::kInt64, {});
  m.input("v0", DataType::kFloat, {2});
  m.input("x", DataType::kFloat, {2});
  m.initializer("cond", Tensor::scalar<bool>(true));
  Body b("body");
  b.input("i", DataType::kInt64).input("c_in", DataType::kBool).input("v", DataType::kFloat);
  b.node("Add", {"v", "x"}, {"v_next"});
  b.output("c_in", DataType::kBool, kS0).output("v_next", DataType::kFloat, kS2).output("v_next", DataType::kFloat, kS2);
  auto& n = m.node("Loop", {"m", "cond", "v0"}, {"v_final", "v_all"});
  set_graph(n, "body", b);
  m.output("v_final", DataType::kFloat, &kS2).output("v_all", DataType::kFloat, &kS32);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({Tensor::scalar<int64_t>(3), Tensor::from_vector<float>({2}, {0, 10}),
                        Tensor::from_vector<float>({2}, {1, 2})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_near(floats((*out)[0]), {3, 16});
  EXPECT_EQ((*out)[1].shape(), (Shape{3, 2}));
  expect_near(floats((*out)[1]), {1, 12, 2, 14, 3, 16});
  // Zero trips: the initial value comes back and the scan output is empty.
  auto none = (*s)->run({Tensor::scalar<int64_t>(0), Tensor::from_vector<float>({2}, {5, 6}),
                         Tensor::from_vector<float>({2}, {1, 2})});
  ASSERT_TRUE(none.is_ok()) << none.status().to_string();
  expect_near(floats((*none)[0]), {5, 6});
  EXPECT_EQ((*none)[1].numel(), 0);
}

// ---- Scan ----

TEST(ControlOps, ScanSumsAlongAnAxisInReverse) {
  TestModel m(16);
  m.input("s0", DataType::kFloat, {2});
  m.input("xs", DataType::kFloat, {2, 3});  // scanned along axis 1
  Body b("body");
  b.input("s", DataType::kFloat).input("x", DataType::kFloat);
  b.node("Add", {"s", "x"}, {"s_next"});
  b.output("s_next", DataType::kFloat, kS2).output("s_next", DataType::kFloat, kS2);
  auto& n = m.node("Scan", {"s0", "xs"}, {"s_final", "partial"});
  set_graph(n, "body", b);
  set_attr(n, "num_scan_inputs", int64_t{1});
  set_attr(n, "scan_input_axes", std::vector<int64_t>{1});
  set_attr(n, "scan_input_directions", std::vector<int64_t>{1});
  set_attr(n, "scan_output_axes", std::vector<int64_t>{-1});
  m.output("s_final", DataType::kFloat, &kS2).output("partial", DataType::kFloat, &kS23);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({Tensor::from_vector<float>({2}, {0, 0}), Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_near(floats((*out)[0]), {6, 15});
  EXPECT_EQ((*out)[1].shape(), (Shape{2, 3}));
  expect_near(floats((*out)[1]), {3, 5, 6, 6, 11, 15});
}

// ---- windows, DFT, STFT, Det ----

Result<std::vector<Tensor>> run_one(TestModel& m, const std::vector<Tensor>& feeds) {
  auto s = m.session();
  if (!s.is_ok()) return s.status();
  return (*s)->run(feeds);
}

TEST(MiscOps, HannWindowPeriodicAndSymmetric) {
  for (int periodic : {1, 0}) {
    TestModel m(17);
    m.input("n", DataType::kInt64, {});
    auto& n = m.node("HannWindow", {"n"}, {"w"});
    set_attr(n, "periodic", int64_t{periodic});
    m.output("w", DataType::kFloat, &kS4);
    auto out = run_one(m, {Tensor::scalar<int64_t>(4)});
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    if (periodic) {
      expect_near(floats((*out)[0]), {0, 0.5f, 1, 0.5f});
    } else {
      expect_near(floats((*out)[0]), {0, 0.75f, 0.75f, 0});
    }
  }
}

TEST(MiscOps, DftOfARealSignalAndItsInverse) {
  TestModel m(17);
  m.input("x", DataType::kFloat, {1, 4, 1});
  m.node("DFT", {"x"}, {"y"});
  m.output("y", DataType::kFloat);
  auto out = run_one(m, {Tensor::from_vector<float>({1, 4, 1}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 4, 2}));
  expect_near(floats((*out)[0]), {10, 0, -2, 2, -2, 0, -2, -2});

  TestModel inv(17);
  inv.input("x", DataType::kFloat, {1, 3, 2});
  auto& n = inv.node("DFT", {"x"}, {"y"});
  set_attr(n, "inverse", int64_t{1});
  inv.output("y", DataType::kFloat);
  // The inverse of the DFT of [1, 2, 3] (length 3: the non-power-of-two path).
  const float r3 = std::sqrt(3.0f) / 2;
  auto back = run_one(inv, {Tensor::from_vector<float>({1, 3, 2}, {6, 0, -1.5f, r3, -1.5f, -r3})});
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  expect_near(floats((*back)[0]), {1, 0, 2, 0, 3, 0});
}

// Each length path of the transform (power of two, direct sum, Bluestein) against a plain sum.
TEST(MiscOps, DftMatchesADirectSumForEveryLengthPath) {
  for (int64_t n : {8, 7, 1031}) {
    TestModel m(17);
    m.input("x", DataType::kFloat, {1, n, 2});
    m.node("DFT", {"x"}, {"y"});
    Shape ys{1, n, 2};
    m.output("y", DataType::kFloat, &ys);
    Tensor x = testing::random_tensor({1, n, 2}, static_cast<uint32_t>(n));
    auto out = run_one(m, {x});
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    const float* in = x.data<float>();
    const float* got = (*out)[0].data<float>();
    for (int64_t k = 0; k < n; k += (n > 100 ? 97 : 1)) {
      double re = 0, im = 0;
      for (int64_t j = 0; j < n; ++j) {
        double a = -2.0 * M_PI * static_cast<double>((j * k) % n) / static_cast<double>(n);
        re += in[2 * j] * std::cos(a) - in[2 * j + 1] * std::sin(a);
        im += in[2 * j] * std::sin(a) + in[2 * j + 1] * std::cos(a);
      }
      EXPECT_NEAR(got[2 * k], re, 1e-3) << "n=" << n << " k=" << k;
      EXPECT_NEAR(got[2 * k + 1], im, 1e-3) << "n=" << n << " k=" << k;
    }
  }
}

TEST(MiscOps, DftRejectsTheComplexAxis) {
  TestModel m(17);
  m.input("x", DataType::kFloat, {1, 4, 1});
  auto& n = m.node("DFT", {"x"}, {"y"});
  set_attr(n, "axis", int64_t{2});
  m.output("y", DataType::kFloat, &kS4);
  auto out = run_one(m, {Tensor::from_vector<float>({1, 4, 1}, {1, 2, 3, 4})});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("complex"), std::string::npos) << out.status().message();
}

TEST(MiscOps, StftFramesAndTransforms) {
  TestModel m(17);
  m.input("x", DataType::kFloat, {1, 6, 1});
  m.initializer("step", Tensor::scalar<int64_t>(2));
  m.initializer("len", Tensor::scalar<int64_t>(4));
  m.node("STFT", {"x", "step", "", "len"}, {"y"});
  m.output("y", DataType::kFloat);
  auto out = run_one(m, {Tensor::from_vector<float>({1, 6, 1}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 2, 3, 2}));
  expect_near(floats((*out)[0]), {10, 0, -2, 2, -2, 0, 18, 0, -2, 2, -2, 0});
}

TEST(MiscOps, DetOfABatchAndANonSquareError) {
  TestModel m(13);
  m.input("x", DataType::kFloat, {2, 2, 2});
  m.node("Det", {"x"}, {"y"});
  m.output("y", DataType::kFloat);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({Tensor::from_vector<float>({2, 2, 2}, {1, 2, 3, 4, 0, 1, 1, 0})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_near(floats((*out)[0]), {-2, -1});

  TestModel bad(13);
  bad.input("x", DataType::kFloat, {2, 3});
  bad.node("Det", {"x"}, {"y"});
  bad.output("y", DataType::kFloat, &kS2);
  auto err = run_one(bad, {Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_FALSE(err.is_ok());
  EXPECT_NE(err.status().message().find("[2,3]"), std::string::npos) << err.status().message();
}

// ---- text ----

TEST(MiscOps, StringNormalizerDropsStopwordsAndUppercases) {
  TestModel m(10);
  m.input("x", DataType::kString, {4});
  auto& n = m.node("StringNormalizer", {"x"}, {"y"});
  set_attr(n, "case_change_action", std::string("UPPER"));
  set_strings(n, "stopwords", {"monday"});
  m.output("y", DataType::kString);
  auto out = run_one(m, {Tensor::from_vector<std::string>({4}, {"Monday", "tuesday", "x1", "MONDAY"})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_EQ((*out)[0].data<std::string>()[0], "TUESDAY");
  EXPECT_EQ((*out)[0].data<std::string>()[1], "X1");
}

TEST(MiscOps, TfIdfCountsUnigramsAndBigrams) {
  TestModel m(9);
  m.input("x", DataType::kInt64, {6});
  auto& n = m.node("TfIdfVectorizer", {"x"}, {"y"});
  set_attr(n, "mode", std::string("TF"));
  set_attr(n, "min_gram_length", int64_t{1});
  set_attr(n, "max_gram_length", int64_t{2});
  set_attr(n, "max_skip_count", int64_t{0});
  set_attr(n, "ngram_counts", std::vector<int64_t>{0, 2});
  set_attr(n, "ngram_indexes", std::vector<int64_t>{0, 1, 2});
  set_attr(n, "pool_int64s", std::vector<int64_t>{7, 8, 7, 8});  // unigrams 7, 8; bigram (7, 8)
  m.output("y", DataType::kFloat);
  auto out = run_one(m, {Tensor::from_vector<int64_t>({6}, {7, 8, 1, 7, 8, 8})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  expect_near(floats((*out)[0]), {2, 3, 2});
}

TEST(MiscOps, MelWeightMatrixShape) {
  TestModel m(17);
  m.initializer("bins", Tensor::scalar<int64_t>(8));
  m.initializer("dft", Tensor::scalar<int64_t>(16));
  m.initializer("rate", Tensor::scalar<int64_t>(8192));
  m.initializer("lo", Tensor::scalar<float>(0));
  m.initializer("hi", Tensor::scalar<float>(4096));
  m.node("MelWeightMatrix", {"bins", "dft", "rate", "lo", "hi"}, {"w"});
  m.output("w", DataType::kFloat);
  auto out = run_one(m, {});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{9, 8}));
}

// ---- random ----

TEST(MiscOps, SeededRandomOpsAreDeterministicAndInRange) {
  TestModel m(15);
  m.input("p", DataType::kFloat, {100});
  auto& u = m.node("RandomUniformLike", {"p"}, {"u"});
  set_attr(u, "seed", 3.0f);
  set_attr(u, "low", 2.0f);
  set_attr(u, "high", 4.0f);
  auto& b = m.node("Bernoulli", {"p"}, {"b"});
  set_attr(b, "seed", 1.0f);
  m.output("u", DataType::kFloat).output("b", DataType::kFloat);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  Tensor p = testing::random_tensor({100}, 5, 0.0f, 1.0f);
  auto a1 = (*s)->run({p});
  auto a2 = (*s)->run({p});
  ASSERT_TRUE(a1.is_ok() && a2.is_ok());
  for (int i = 0; i < 100; ++i) {
    float v = (*a1)[0].data<float>()[i];
    EXPECT_TRUE(v >= 2.0f && v < 4.0f) << v;
    EXPECT_EQ(v, (*a2)[0].data<float>()[i]);
    float bit = (*a1)[1].data<float>()[i];
    EXPECT_TRUE(bit == 0.0f || bit == 1.0f);
  }
  auto bad = (*s)->run({Tensor::from_vector<float>({100}, std::vector<float>(100, 2.0f))});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("probability"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace fogline::engine
