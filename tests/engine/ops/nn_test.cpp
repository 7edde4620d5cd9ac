// Unit tests for the reference nn / rnn kernels (Conv, MatMul, Gemm, pools, norms, Resize,
// GridSample, RoiAlign, RNN/GRU/LSTM): each against a naive loop or hand-computed values on
// a couple of shapes, plus bad inputs that must come back as errors rather than crashes.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "engine/model_builder.h"

namespace fogline::engine {
namespace {

using testing::random_tensor;
using testing::set_attr;
using testing::TestModel;

struct Feed {
  std::string name;
  Tensor value;
};

// Builds a one-node model and runs it once on the reference kernels.
Result<std::vector<Tensor>> run_ref(const std::string& op, const std::vector<Feed>& feeds, int n_outputs = 1,
                                    int opset = 17, const std::function<void(onnx::NodeProto&)>& attrs = nullptr) {
  TestModel m(opset);
  std::vector<std::string> in_names, out_names;
  std::vector<Tensor> values;
  for (const auto& f : feeds) {
    if (f.name.empty()) {
      in_names.push_back("");
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
  SessionOptions opts;
  opts.reference_only = true;
  opts.threads = 2;
  FOGLINE_ASSIGN_OR_RETURN(auto session, m.session(opts));
  return session->run(values);
}

void expect_near(const Tensor& got, const std::vector<float>& want, float tol = 1e-4f) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.data<float>()[i], want[i], tol) << "element " << i;
}

float at(const Tensor& t, std::initializer_list<int64_t> idx) {
  int64_t off = 0, d = 0;
  for (int64_t i : idx) off = off * t.dim(static_cast<int>(d++)) + i;
  return t.data<float>()[off];
}

// Direct 2-D grouped convolution, the definition the im2col kernel must reproduce.
std::vector<float> naive_conv2d(const Tensor& x, const Tensor& w, const Tensor* b, int64_t group, int64_t s, int64_t p,
                                int64_t dil, int64_t* oh, int64_t* ow) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), M = w.dim(0), KH = w.dim(2), KW = w.dim(3);
  *oh = (H + 2 * p - (KH - 1) * dil - 1) / s + 1;
  *ow = (W + 2 * p - (KW - 1) * dil - 1) / s + 1;
  const int64_t Cg = C / group, Mg = M / group;
  std::vector<float> y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t i = 0; i < *oh; ++i)
        for (int64_t j = 0; j < *ow; ++j) {
          float acc = b ? b->data<float>()[m] : 0.0f;
          const int64_t g = m / Mg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t ki = 0; ki < KH; ++ki)
              for (int64_t kj = 0; kj < KW; ++kj) {
                const int64_t yy = i * s - p + ki * dil, xx = j * s - p + kj * dil;
                if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                acc += at(x, {n, g * Cg + c, yy, xx}) * at(w, {m, c, ki, kj});
              }
          y.push_back(acc);
        }
  return y;
}

TEST(NnConv, MatchesDirectConvolutionWithGroupsStridesPadsDilations) {
  struct Case { int64_t n, c, h, w, m, k, group, s, p, dil; };
  for (const Case& cs : {Case{1, 3, 7, 6, 4, 3, 1, 1, 1, 1}, Case{2, 4, 9, 8, 6, 3, 2, 2, 1, 2},
                         Case{1, 4, 5, 5, 4, 3, 4, 1, 1, 1}, Case{1, 8, 4, 4, 5, 1, 1, 1, 0, 1}}) {
    Tensor x = random_tensor({cs.n, cs.c, cs.h, cs.w}, 1);
    Tensor w = random_tensor({cs.m, cs.c / cs.group, cs.k, cs.k}, 2);
    Tensor b = random_tensor({cs.m}, 3);
    auto out = run_ref("Conv", {{"x", x}, {"w", w}, {"b", b}}, 1, 13, [&](onnx::NodeProto& n) {
      set_attr(n, "group", cs.group);
      set_attr(n, "strides", std::vector<int64_t>{cs.s, cs.s});
      set_attr(n, "pads", std::vector<int64_t>{cs.p, cs.p, cs.p, cs.p});
      set_attr(n, "dilations", std::vector<int64_t>{cs.dil, cs.dil});
    });
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    int64_t oh = 0, ow = 0;
    auto want = naive_conv2d(x, w, &b, cs.group, cs.s, cs.p, cs.dil, &oh, &ow);
    EXPECT_EQ((*out)[0].shape(), (Shape{cs.n, cs.m, oh, ow}));
    expect_near((*out)[0], want);
  }
}

TEST(NnConv, AutoPadSameAnd1DAnd3D) {
  auto same = run_ref("Conv", {{"x", random_tensor({1, 2, 5, 7}, 4)}, {"w", random_tensor({3, 2, 3, 3}, 5)}}, 1, 13,
                      [](onnx::NodeProto& n) {
                        set_attr(n, "auto_pad", std::string("SAME_UPPER"));
                        set_attr(n, "strides", std::vector<int64_t>{2, 2});
                      });
  ASSERT_TRUE(same.is_ok()) << same.status().to_string();
  EXPECT_EQ((*same)[0].shape(), (Shape{1, 3, 3, 4}));
  // 1-D: [1, 2, 3] * [1, 1] -> [3, 5]
  auto one = run_ref("Conv", {{"x", Tensor::from_vector<float>({1, 1, 3}, {1, 2, 3})},
                              {"w", Tensor::from_vector<float>({1, 1, 2}, {1, 1})}});
  ASSERT_TRUE(one.is_ok()) << one.status().to_string();
  expect_near((*one)[0], {3, 5});
  // 3-D all-ones: every output is the window volume.
  Tensor ones = Tensor::from_vector<float>({1, 1, 3, 3, 3}, std::vector<float>(27, 1.0f));
  Tensor k = Tensor::from_vector<float>({1, 1, 2, 2, 2}, std::vector<float>(8, 1.0f));
  auto three = run_ref("Conv", {{"x", ones}, {"w", k}});
  ASSERT_TRUE(three.is_ok()) << three.status().to_string();
  expect_near((*three)[0], std::vector<float>(8, 8.0f));
}

TEST(NnConv, RejectsMismatchedChannels) {
  auto bad = run_ref("Conv", {{"x", random_tensor({1, 3, 5, 5}, 1)}, {"w", random_tensor({2, 2, 3, 3}, 2)}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("channels"), std::string::npos) << bad.status().message();
}

TEST(NnConvTranspose, MatchesScatterDefinition) {
  Tensor x = random_tensor({1, 2, 3, 4}, 6);
  Tensor w = random_tensor({2, 3, 3, 3}, 7);
  auto out = run_ref("ConvTranspose", {{"x", x}, {"w", w}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "strides", std::vector<int64_t>{2, 2});
    set_attr(n, "output_padding", std::vector<int64_t>{1, 1});
  });
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const Shape want_shape = {1, 3, 2 * 2 + 3 + 1, 3 * 2 + 3 + 1};
  ASSERT_EQ((*out)[0].shape(), want_shape);
  std::vector<float> want(static_cast<size_t>(numel(want_shape)), 0.0f);
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 4; ++j)
        for (int64_t m = 0; m < 3; ++m)
          for (int64_t ki = 0; ki < 3; ++ki)
            for (int64_t kj = 0; kj < 3; ++kj)
              want[static_cast<size_t>((m * want_shape[2] + i * 2 + ki) * want_shape[3] + j * 2 + kj)] +=
                  at(x, {0, c, i, j}) * at(w, {c, m, ki, kj});
  expect_near((*out)[0], want);
}

TEST(NnMatMul, BroadcastsBatchesAndHandles1D) {
  Tensor a = random_tensor({2, 1, 3, 4}, 8), b = random_tensor({3, 4, 5}, 9);
  auto out = run_ref("MatMul", {{"a", a}, {"b", b}});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].shape(), (Shape{2, 3, 3, 5}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t r = 0; r < 3; ++r)
        for (int64_t c = 0; c < 5; ++c) {
          float s = 0;
          for (int64_t k = 0; k < 4; ++k) s += at(a, {i, 0, r, k}) * at(b, {j, k, c});
          EXPECT_NEAR(at((*out)[0], {i, j, r, c}), s, 1e-5f);
        }
  auto vec = run_ref("MatMul", {{"a", Tensor::from_vector<float>({2}, {1, 2})},
                                {"b", Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4})}});
  ASSERT_TRUE(vec.is_ok());
  EXPECT_EQ((*vec)[0].shape(), (Shape{2}));
  expect_near((*vec)[0], {7, 10});
  auto bad = run_ref("MatMul", {{"a", random_tensor({2, 3}, 1)}, {"b", random_tensor({4, 2}, 2)}});
  EXPECT_FALSE(bad.is_ok());
}

TEST(NnGemm, TransposesScalesAndBroadcastsC) {
  Tensor a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});  // used as A^T: [3, 2]
  Tensor b = Tensor::from_vector<float>({2, 2}, {1, 0, 0, 1});         // B^T = identity
  Tensor c = Tensor::from_vector<float>({2}, {10, 20});
  auto out = run_ref("Gemm", {{"a", a}, {"b", b}, {"c", c}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "transA", 1);
    set_attr(n, "transB", 1);
    set_attr(n, "alpha", 2.0f);
    set_attr(n, "beta", 0.5f);
  });
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].shape(), (Shape{3, 2}));
  expect_near((*out)[0], {2 + 5, 8 + 10, 4 + 5, 10 + 10, 6 + 5, 12 + 10});
  auto bad = run_ref("Gemm", {{"a", random_tensor({2, 3}, 1)}, {"b", random_tensor({3, 4}, 2)},
                              {"c", random_tensor({3}, 3)}});
  EXPECT_FALSE(bad.is_ok());
}

TEST(NnPool, MaxPoolIndicesCeilModeAndAveragePoolPadding) {
  Tensor x = Tensor::from_vector<float>({1, 1, 3, 3}, {1, 2, 3, 4, 9, 6, 7, 8, 5});
  auto mp = run_ref("MaxPool", {{"x", x}}, 2, 13, [](onnx::NodeProto& n) {
    set_attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
    set_attr(n, "strides", std::vector<int64_t>{2, 2});
    set_attr(n, "ceil_mode", 1);
  });
  ASSERT_TRUE(mp.is_ok()) << mp.status().to_string();
  ASSERT_EQ((*mp)[0].shape(), (Shape{1, 1, 2, 2}));
  expect_near((*mp)[0], {9, 6, 8, 5});
  const int64_t* idx = (*mp)[1].data<int64_t>();
  EXPECT_EQ(idx[0], 4);
  EXPECT_EQ(idx[1], 5);
  EXPECT_EQ(idx[2], 7);
  EXPECT_EQ(idx[3], 8);
  auto ap = run_ref("AveragePool", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "kernel_shape", std::vector<int64_t>{3, 3});
    set_attr(n, "pads", std::vector<int64_t>{1, 1, 1, 1});
    set_attr(n, "count_include_pad", 1);
  });
  ASSERT_TRUE(ap.is_ok());
  EXPECT_NEAR(at((*ap)[0], {0, 0, 0, 0}), (1 + 2 + 4 + 9) / 9.0f, 1e-5f);
  auto ap2 = run_ref("AveragePool", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "kernel_shape", std::vector<int64_t>{3, 3});
    set_attr(n, "pads", std::vector<int64_t>{1, 1, 1, 1});
  });
  ASSERT_TRUE(ap2.is_ok());
  EXPECT_NEAR(at((*ap2)[0], {0, 0, 0, 0}), (1 + 2 + 4 + 9) / 4.0f, 1e-5f);
  auto gap = run_ref("GlobalAveragePool", {{"x", x}});
  ASSERT_TRUE(gap.is_ok());
  expect_near((*gap)[0], {5});
  auto too_big = run_ref("MaxPool", {{"x", x}}, 1, 13,
                         [](onnx::NodeProto& n) { set_attr(n, "kernel_shape", std::vector<int64_t>{5, 5}); });
  EXPECT_FALSE(too_big.is_ok());
}

TEST(NnPool, MaxUnpoolInvertsMaxPoolAndRejectsBadIndices) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {5, 6, 7, 8});
  Tensor good = Tensor::from_vector<int64_t>({1, 1, 2, 2}, {0, 3, 8, 15});
  auto out = run_ref("MaxUnpool", {{"x", x}, {"i", good}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
    set_attr(n, "strides", std::vector<int64_t>{2, 2});
  });
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ((*out)[0].data<float>()[3], 6);
  EXPECT_EQ((*out)[0].data<float>()[1], 0);
  Tensor bad = Tensor::from_vector<int64_t>({1, 1, 2, 2}, {0, 3, 8, 99});
  auto err = run_ref("MaxUnpool", {{"x", x}, {"i", bad}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
    set_attr(n, "strides", std::vector<int64_t>{2, 2});
  });
  EXPECT_FALSE(err.is_ok());
}

TEST(NnNorm, BatchInstanceLayerNormalization) {
  Tensor x = Tensor::from_vector<float>({1, 2, 2}, {1, 3, 2, 6});
  Tensor scale = Tensor::from_vector<float>({2}, {1, 2}), bias = Tensor::from_vector<float>({2}, {0, 1});
  Tensor mean = Tensor::from_vector<float>({2}, {2, 4}), var = Tensor::from_vector<float>({2}, {1, 4});
  auto bn = run_ref("BatchNormalization", {{"x", x}, {"s", scale}, {"b", bias}, {"m", mean}, {"v", var}}, 1, 15,
                    [](onnx::NodeProto& n) { set_attr(n, "epsilon", 0.0f); });
  ASSERT_TRUE(bn.is_ok()) << bn.status().to_string();
  expect_near((*bn)[0], {-1, 1, 2 * (-1.0f) + 1, 2 * 1.0f + 1});
  auto in = run_ref("InstanceNormalization", {{"x", x}, {"s", scale}, {"b", bias}}, 1, 13,
                    [](onnx::NodeProto& n) { set_attr(n, "epsilon", 0.0f); });
  ASSERT_TRUE(in.is_ok());
  expect_near((*in)[0], {-1, 1, -1, 3});
  Tensor g = Tensor::from_vector<float>({2}, {1, 1});
  auto ln = run_ref("LayerNormalization", {{"x", x}, {"g", g}}, 3, 17, [](onnx::NodeProto& n) {
    set_attr(n, "epsilon", 0.0f);
  });
  ASSERT_TRUE(ln.is_ok()) << ln.status().to_string();
  expect_near((*ln)[0], {-1, 1, -1, 1});
  ASSERT_EQ((*ln)[1].shape(), (Shape{1, 2, 1}));
  expect_near((*ln)[1], {2, 4});
  expect_near((*ln)[2], {1, 0.5f});
  auto bad = run_ref("BatchNormalization", {{"x", x}, {"s", scale}, {"b", bias}, {"m", mean},
                                            {"v", Tensor::from_vector<float>({3}, {1, 1, 1})}}, 1, 15);
  EXPECT_FALSE(bad.is_ok());
}

TEST(NnNorm, LrnAndMeanVarianceNormalization) {
  Tensor x = Tensor::from_vector<float>({1, 2, 1, 1}, {1, 2});
  auto lrn = run_ref("LRN", {{"x", x}}, 1, 13, [](onnx::NodeProto& n) {
    set_attr(n, "size", 3);
    set_attr(n, "alpha", 3.0f);
    set_attr(n, "beta", 1.0f);
    set_attr(n, "bias", 1.0f);
  });
  ASSERT_TRUE(lrn.is_ok()) << lrn.status().to_string();
  expect_near((*lrn)[0], {1.0f / 6.0f, 2.0f / 6.0f});
  Tensor y = Tensor::from_vector<float>({2, 1, 1, 2}, {1, 3, 5, 7});
  auto mvn = run_ref("MeanVarianceNormalization", {{"x", y}}, 1, 13);
  ASSERT_TRUE(mvn.is_ok()) << mvn.status().to_string();
  const float sd = std::sqrt(5.0f);
  expect_near((*mvn)[0], {-3 / sd, -1 / sd, 1 / sd, 3 / sd});
}

TEST(NnResize, NearestLinearAndUpsample) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor scales = Tensor::from_vector<float>({4}, {1, 1, 2, 2});
  auto nearest = run_ref("Resize", {{"x", x}, {"", Tensor()}, {"s", scales}}, 1, 13);
  ASSERT_TRUE(nearest.is_ok()) << nearest.status().to_string();
  expect_near((*nearest)[0], {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  Tensor sizes = Tensor::from_vector<int64_t>({4}, {1, 1, 1, 3});
  Tensor row = Tensor::from_vector<float>({1, 1, 1, 2}, {0, 2});
  auto linear = run_ref("Resize", {{"x", row}, {"", Tensor()}, {"", Tensor()}, {"z", sizes}}, 1, 13,
                        [](onnx::NodeProto& n) {
                          set_attr(n, "mode", std::string("linear"));
                          set_attr(n, "coordinate_transformation_mode", std::string("align_corners"));
                        });
  ASSERT_TRUE(linear.is_ok()) << linear.status().to_string();
  expect_near((*linear)[0], {0, 1, 2});
  auto up = run_ref("Upsample", {{"x", x}, {"s", scales}}, 1, 9);
  ASSERT_TRUE(up.is_ok()) << up.status().to_string();
  expect_near((*up)[0], {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  auto bad = run_ref("Resize", {{"x", x}, {"", Tensor()}, {"s", Tensor::from_vector<float>({4}, {1, 1, -2, 2})}}, 1, 13);
  EXPECT_FALSE(bad.is_ok());
}

TEST(NnSampling, GridSampleIdentityAndRoiAlignConstant) {
  Tensor x = random_tensor({1, 2, 3, 4}, 11);
  std::vector<float> g;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      g.push_back(-1.0f + 2.0f * static_cast<float>(j) / 3.0f);
      g.push_back(-1.0f + 2.0f * static_cast<float>(i) / 2.0f);
    }
  auto gs = run_ref("GridSample", {{"x", x}, {"g", Tensor::from_vector<float>({1, 3, 4, 2}, g)}}, 1, 16,
                    [](onnx::NodeProto& n) { set_attr(n, "align_corners", 1); });
  ASSERT_TRUE(gs.is_ok()) << gs.status().to_string();
  expect_near((*gs)[0], std::vector<float>(x.data<float>(), x.data<float>() + x.numel()));
  Tensor img = Tensor::from_vector<float>({1, 1, 4, 4}, std::vector<float>(16, 3.0f));
  Tensor rois = Tensor::from_vector<float>({1, 4}, {0.5f, 0.5f, 2.5f, 2.5f});
  auto ra = run_ref("RoiAlign", {{"x", img}, {"r", rois}, {"i", Tensor::from_vector<int64_t>({1}, {0})}}, 1, 16,
                    [](onnx::NodeProto& n) {
                      set_attr(n, "output_height", 2);
                      set_attr(n, "output_width", 2);
                    });
  ASSERT_TRUE(ra.is_ok()) << ra.status().to_string();
  expect_near((*ra)[0], {3, 3, 3, 3});
  auto bad = run_ref("RoiAlign", {{"x", img}, {"r", rois}, {"i", Tensor::from_vector<int64_t>({1}, {5})}}, 1, 16);
  EXPECT_FALSE(bad.is_ok());
}

TEST(NnRecurrent, RnnGruLstmOneStepByHand) {
  // One step, batch 1, input 1, hidden 1: every gate is w*x + r*0 + biases.
  Tensor x = Tensor::from_vector<float>({1, 1, 1}, {0.5f});
  auto sig = [](float v) { return 1.0f / (1.0f + std::exp(-v)); };
  auto rnn = run_ref("RNN", {{"x", x}, {"w", Tensor::from_vector<float>({1, 1, 1}, {2})},
                             {"r", Tensor::from_vector<float>({1, 1, 1}, {1})},
                             {"b", Tensor::from_vector<float>({1, 2}, {0.1f, 0.2f})}},
                     2, 14, [](onnx::NodeProto& n) { set_attr(n, "hidden_size", 1); });
  ASSERT_TRUE(rnn.is_ok()) << rnn.status().to_string();
  expect_near((*rnn)[0], {std::tanh(1.0f + 0.3f)});
  expect_near((*rnn)[1], {std::tanh(1.0f + 0.3f)});
  auto gru = run_ref("GRU", {{"x", x}, {"w", Tensor::from_vector<float>({1, 3, 1}, {1, 2, 3})},
                             {"r", Tensor::from_vector<float>({1, 3, 1}, {1, 1, 1})}},
                     1, 14, [](onnx::NodeProto& n) { set_attr(n, "hidden_size", 1); });
  ASSERT_TRUE(gru.is_ok()) << gru.status().to_string();
  const float z = sig(0.5f), h = std::tanh(1.5f);
  expect_near((*gru)[0], {(1 - z) * h});
  auto lstm = run_ref("LSTM", {{"x", x}, {"w", Tensor::from_vector<float>({1, 4, 1}, {1, 2, 3, 4})},
                               {"r", Tensor::from_vector<float>({1, 4, 1}, {1, 1, 1, 1})}},
                      3, 14, [](onnx::NodeProto& n) { set_attr(n, "hidden_size", 1); });
  ASSERT_TRUE(lstm.is_ok()) << lstm.status().to_string();
  const float i = sig(0.5f), o = sig(1.0f), c = i * std::tanh(2.0f);
  expect_near((*lstm)[0], {o * std::tanh(c)});
  expect_near((*lstm)[2], {c});
  auto bad = run_ref("LSTM", {{"x", x}, {"w", Tensor::from_vector<float>({1, 3, 1}, {1, 2, 3})},
                              {"r", Tensor::from_vector<float>({1, 4, 1}, {1, 1, 1, 1})}},
                     1, 14, [](onnx::NodeProto& n) { set_attr(n, "hidden_size", 1); });
  EXPECT_FALSE(bad.is_ok());
}

}  // namespace
}  // namespace fogline::engine
