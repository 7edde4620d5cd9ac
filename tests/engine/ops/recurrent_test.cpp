// GRU and LSTM on oneDNN against the reference kernels: gate orders, bias splits, peepholes,
// directions and initial states are where the two formulations differ, so each is covered,
// with constant weights (packed once) and with weights fed at run time.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/model_builder.h"
#include "engine/onnx_import.h"

namespace fogline::engine {
namespace {

using testing::set_attr;
using testing::TestModel;

struct RecurrentCase {
  std::string op;  // GRU or LSTM
  std::string direction = "forward";
  bool lbr = false;
  bool bias = true, initial = false, peephole = false;
  bool const_weights = true;
  int64_t seq = 5, batch = 2, input = 3, hidden = 4;
  std::vector<int64_t> lens;  // sequence_lens as a run-time input when not empty
};

struct Built {
  std::unique_ptr<Session> session;
  std::vector<Tensor> inputs;
};

Result<Built> build(const RecurrentCase& c, bool reference) {
  const bool lstm = c.op == "LSTM";
  const int64_t D = c.direction == "bidirectional" ? 2 : 1, G = lstm ? 4 : 3, H = c.hidden;
  TestModel m(14);
  Built b;
  uint32_t seed = 1;
  auto add = [&](const std::string& name, const Shape& shape, bool constant) {
    Tensor t = testing::random_tensor(shape, seed++, -0.8f, 0.8f);
    if (constant) {
      m.initializer(name, t);
    } else {
      m.input(name, DataType::kFloat, shape);
      b.inputs.push_back(t);
    }
    return name;
  };
  std::vector<std::string> names{add("x", {c.seq, c.batch, c.input}, false),
                                 add("w", {D, G * H, c.input}, c.const_weights),
                                 add("r", {D, G * H, H}, c.const_weights)};
  names.push_back(c.bias ? add("b", {D, 2 * G * H}, c.const_weights) : "");
  if (!c.lens.empty()) {
    m.input("lens", DataType::kInt32, {c.batch});
    std::vector<int32_t> lens(c.lens.begin(), c.lens.end());
    b.inputs.push_back(Tensor::from_vector<int32_t>({c.batch}, lens));
    names.push_back("lens");
  } else {
    names.push_back("");
  }
  names.push_back(c.initial ? add("h0", {D, c.batch, H}, false) : "");
  if (lstm) {
    names.push_back(c.initial ? add("c0", {D, c.batch, H}, false) : "");
    names.push_back(c.peephole ? add("p", {D, 3 * H}, c.const_weights) : "");
  }
  while (!names.empty() && names.back().empty()) names.pop_back();
  std::vector<std::string> outs{"y", "yh"};
  if (lstm) outs.push_back("yc");
  auto& n = m.node(c.op, names, outs);
  set_attr(n, "hidden_size", H);
  set_attr(n, "direction", c.direction);
  if (c.lbr) set_attr(n, "linear_before_reset", int64_t{1});
  for (const auto& o : outs) m.output(o);
  ImportOptions io;
  FOGLINE_ASSIGN_OR_RETURN(ImportedModel model, import_onnx_bytes(m.bytes(), "", io));
  SessionOptions opts;
  opts.reference_only = reference;
  opts.optimize = false;
  opts.threads = 2;
  FOGLINE_ASSIGN_OR_RETURN(b.session, Session::from_model(std::move(model), opts));
  return b;
}

void check(const RecurrentCase& c, bool expect_dnnl = true) {
  SCOPED_TRACE(c.op + " " + c.direction + (c.lbr ? " lbr" : "") + (c.peephole ? " peephole" : "") +
               (c.initial ? " initial" : "") + (c.const_weights ? " const" : " runtime"));
  auto ref = build(c, true);
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  auto fast = build(c, false);
  ASSERT_TRUE(fast.is_ok()) << fast.status().to_string();
  EXPECT_EQ(fast->session->executor().backends()[0], expect_dnnl ? Backend::kDnnl : Backend::kReference);
  auto want = ref->session->run(ref->inputs);
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  for (int rep = 0; rep < 2; ++rep) {
    auto got = fast->session->run(fast->inputs);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    ASSERT_EQ(got->size(), want->size());
    for (size_t o = 0; o < want->size(); ++o) {
      const Tensor &w = (*want)[o], &g = (*got)[o];
      ASSERT_EQ(w.shape(), g.shape()) << "output " << o;
      int bad = 0;
      for (int64_t i = 0; i < w.numel() && bad < 5; ++i) {
        float a = w.data<float>()[i], v = g.data<float>()[i];
        if (std::fabs(a - v) > 1e-4f * std::max(1.0f, std::fabs(a))) {
          ADD_FAILURE() << "output " << o << " element " << i << ": reference " << a << ", oneDNN " << v;
          ++bad;
        }
      }
    }
  }
}

TEST(Recurrent, GruMatchesReference) {
  for (const char* dir : {"forward", "reverse", "bidirectional"})
    for (bool lbr : {false, true})
      for (bool initial : {false, true}) {
        RecurrentCase c;
        c.op = "GRU";
        c.direction = dir;
        c.lbr = lbr;
        c.initial = initial;
        check(c);
      }
}

TEST(Recurrent, LstmMatchesReference) {
  for (const char* dir : {"forward", "reverse", "bidirectional"})
    for (bool peephole : {false, true})
      for (bool initial : {false, true}) {
        RecurrentCase c;
        c.op = "LSTM";
        c.direction = dir;
        c.peephole = peephole;
        c.initial = initial;
        check(c);
      }
}

TEST(Recurrent, RuntimeWeightsAndNoBias) {
  for (const char* op : {"GRU", "LSTM"}) {
    RecurrentCase c;
    c.op = op;
    c.const_weights = false;
    c.peephole = c.op == "LSTM";
    c.lbr = c.op == "GRU";
    check(c);
    c.bias = false;
    c.const_weights = true;
    check(c);
  }
}

TEST(Recurrent, RaggedSequenceLengthsFallBackToTheReference) {
  RecurrentCase c;
  c.op = "GRU";
  c.lens = {5, 5};  // uniform: oneDNN
  check(c);
  c.lens = {5, 2};  // ragged: the oneDNN kernel hands over to the reference at run time
  check(c);
}

TEST(Recurrent, BadInitialStateShapeIsAnError) {
  RecurrentCase c;
  c.op = "LSTM";
  c.initial = true;
  auto fast = build(c, false);
  ASSERT_TRUE(fast.is_ok()) << fast.status().to_string();
  fast->inputs[1] = testing::random_tensor({1, 3, 4}, 9);  // h0 for batch 3, X has batch 2
  auto got = fast->session->run(fast->inputs);
  ASSERT_FALSE(got.is_ok());
  EXPECT_NE(got.status().message().find("h0"), std::string::npos) << got.status().to_string();
}

}  // namespace
}  // namespace fogline::engine
