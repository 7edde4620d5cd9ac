// The oneDNN int8 kernels (ops/dnnl/qlinear_*.cpp) and the int8 layout region
// (quant-type-propagation + onednn-layout) against the reference kernels (ops/quant), which
// stay the oracle: the same model runs with the default kernel set and with reference_only,
// on random tensors for many convolution shapes.
//
// Tolerance: bit-exact. The QLinearAdd / QLinearGlobalAveragePool layout kernels use the
// reference's arithmetic. For QLinearConv, oneDNN computes float(acc) * scale with the same
// float multiplier the reference computes (x_scale * w_scale[m] / y_scale), and converts to
// 8 bits with the CPU's round-to-nearest-even and saturation, like the reference. Two things
// had to be arranged for that: oneDNN adds the dst zero point to the float *before* rounding,
// which near a tie loses the deciding bits, so the kernel rounds first with an eltwise_round
// post-op; and without VNNI (vpmaddubsw saturates int16 pair sums) the kernel declines. The
// one remaining difference, bias added in float (float(acc) + float(B)), needs |acc| >= 2^24,
// which these shapes cannot reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "engine/model_builder.h"
#include "engine/ops/dnnl/quant_params.h"
#include "engine/session.h"
#include "engine/shared_data.h"
#include "engine/tensor_io.h"

namespace fogline::engine {
namespace {

using testing::set_attr;
using testing::TestModel;

template <typename T>
Tensor random_ints(const Shape& shape, uint32_t seed, int lo = std::numeric_limits<T>::min(),
                   int hi = std::numeric_limits<T>::max()) {
  Tensor t = std::move(Tensor::allocate(DataTypeOf<T>::value, shape)).value();
  uint32_t s = seed * 2654435761u + 11;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data<T>()[i] = static_cast<T>(lo + static_cast<int>((s >> 8) % static_cast<uint32_t>(hi - lo + 1)));
  }
  return t;
}

Tensor zero_point(DataType t, int v) {
  return t == DataType::kUInt8 ? Tensor::scalar<uint8_t>(static_cast<uint8_t>(v))
                               : Tensor::scalar<int8_t>(static_cast<int8_t>(v));
}

Tensor random_q8(DataType t, const Shape& shape, uint32_t seed) {
  return t == DataType::kUInt8 ? random_ints<uint8_t>(shape, seed) : random_ints<int8_t>(shape, seed);
}

struct Runs {
  std::vector<Tensor> fast, ref;
  Backend first_backend = Backend::kReference;
};

Runs run_both(const TestModel& m, const std::vector<Tensor>& feeds) {
  Runs r;
  SessionOptions fast_opts;
  fast_opts.threads = 2;
  auto fast = m.session(fast_opts);
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  auto ref = m.session(ref_opts);
  EXPECT_TRUE(fast.is_ok()) << fast.status().to_string();
  EXPECT_TRUE(ref.is_ok()) << ref.status().to_string();
  if (!fast.is_ok() || !ref.is_ok()) return r;
  for (size_t i = 0; i < (*fast)->graph().nodes.size(); ++i) {
    const Node& n = (*fast)->graph().nodes[i];
    if (!n.dead && n.op_type == "QLinearConv") {
      r.first_backend = (*fast)->executor().backends()[i];
      break;
    }
  }
  auto a = (*fast)->run(feeds);
  auto b = (*ref)->run(feeds);
  EXPECT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_TRUE(b.is_ok()) << b.status().to_string();
  if (a.is_ok()) r.fast = std::move(a).value();
  if (b.is_ok()) r.ref = std::move(b).value();
  return r;
}

// Max |difference| and how many values differ, over two 8-bit tensors of one shape.
std::pair<int, int64_t> diff8(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  EXPECT_EQ(a.dtype(), b.dtype());
  int worst = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < std::min(a.numel(), b.numel()); ++i) {
    const int d = std::abs(static_cast<int>(a.value_as_int(i)) - static_cast<int>(b.value_as_int(i)));
    worst = std::max(worst, d);
    count += d != 0;
  }
  return {worst, count};
}

struct ConvCase {
  DataType x_type, y_type;
  Shape x;         // N, C, H, W
  int64_t m = 8;   // output channels
  int64_t group = 1;
  int64_t k = 3, stride = 1, pad = 1, dilation = 1;
  bool per_channel = true, bias = true;
  int x_zp = 0, y_zp = 0;
  int w_zp = 0;  // non-zero: the oneDNN kernel must decline
};

// A QLinearConv on a run-time input with constant weights and parameters.
TestModel conv_model(const ConvCase& c, uint32_t seed) {
  TestModel m(13);
  const int64_t cin = c.x[1] / c.group;
  const int64_t kernel_volume = cin * c.k * c.k;
  m.input("x", c.x_type, c.x);
  m.initializer("xs", Tensor::scalar<float>(0.02f));
  m.initializer("xz", zero_point(c.x_type, c.x_zp));
  Tensor w = random_ints<int8_t>({c.m, cin, c.k, c.k}, seed + 1, -127, 127);
  m.initializer("w", w);
  std::vector<float> ws(static_cast<size_t>(c.per_channel ? c.m : 1));
  for (size_t i = 0; i < ws.size(); ++i) ws[i] = 0.004f + 0.0007f * static_cast<float>((i * 7 + seed) % 11);
  m.initializer("ws", Tensor::from_vector<float>({static_cast<int64_t>(ws.size())}, ws));
  if (c.per_channel) {
    m.initializer("wz", Tensor::from_vector<int8_t>({c.m}, std::vector<int8_t>(static_cast<size_t>(c.m),
                                                                              static_cast<int8_t>(c.w_zp))));
  } else {
    m.initializer("wz", Tensor::scalar<int8_t>(static_cast<int8_t>(c.w_zp)));
  }
  // y_scale so that typical outputs span a few dozen steps (some saturate).
  const float acc_std = std::sqrt(static_cast<float>(kernel_volume)) * 74.f * 74.f;
  m.initializer("ys", Tensor::scalar<float>(0.02f * 0.005f * acc_std / 40.f));
  m.initializer("yz", zero_point(c.y_type, c.y_zp));
  std::vector<std::string> ins{"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"};
  if (c.bias) {
    m.initializer("b", random_ints<int32_t>({c.m}, seed + 2, -20000, 20000));
    ins.push_back("b");
  }
  auto& n = m.node("QLinearConv", ins, {"y"});
  set_attr(n, "group", c.group);
  set_attr(n, "kernel_shape", std::vector<int64_t>{c.k, c.k});
  set_attr(n, "strides", std::vector<int64_t>{c.stride, c.stride});
  set_attr(n, "pads", std::vector<int64_t>{c.pad, c.pad, c.pad, c.pad});
  set_attr(n, "dilations", std::vector<int64_t>{c.dilation, c.dilation});
  m.output("y", c.y_type);
  return m;
}

void check_conv(const ConvCase& c, uint32_t seed, Backend expected) {
  TestModel m = conv_model(c, seed);
  Runs r = run_both(m, {random_q8(c.x_type, c.x, seed)});
  ASSERT_EQ(r.fast.size(), 1u);
  ASSERT_EQ(r.ref.size(), 1u);
  EXPECT_EQ(r.first_backend, expected);
  auto [worst, count] = diff8(r.fast[0], r.ref[0]);
  EXPECT_EQ(count, 0) << "values differ, by up to " << worst;
  // The outputs must not be trivially saturated, or agreement would mean little.
  int64_t distinct = 0;
  std::vector<char> seen(256, 0);
  for (int64_t i = 0; i < r.ref[0].numel(); ++i) {
    const int v = static_cast<int>(r.ref[0].value_as_int(i)) & 255;
    distinct += !seen[static_cast<size_t>(v)];
    seen[static_cast<size_t>(v)] = 1;
  }
  EXPECT_GT(distinct, 16);
}

constexpr DataType U8 = DataType::kUInt8, S8 = DataType::kInt8;

TEST(DnnlQLinearConv, MatchesTheReferenceOnManyShapes) {
  std::vector<ConvCase> cases = {
      {U8, U8, {1, 16, 12, 12}, 32},                                       // 3x3, per-channel
      {U8, U8, {1, 16, 12, 12}, 24, 1, 1, 1, 0},                           // pointwise
      {U8, U8, {2, 8, 9, 11}, 16, 1, 3, 2, 1},                             // stride 2, batch 2
      {U8, U8, {1, 32, 10, 10}, 32, 32},                                   // depthwise
      {U8, U8, {1, 48, 15, 15}, 48, 48, 3, 2, 1},                          // depthwise, stride 2
      {U8, S8, {1, 12, 8, 8}, 24, 3},                                      // groups, s8 output
      {S8, S8, {1, 16, 8, 8}, 16},                                         // s8 activations
      {S8, U8, {1, 16, 8, 8}, 16, 16},                                     // s8 depthwise
      {U8, U8, {1, 3, 17, 17}, 16, 1, 3, 2, 1},                            // a network's stem
      {U8, U8, {1, 8, 12, 12}, 8, 1, 3, 1, 2, 2},                          // dilation 2
      {U8, U8, {1, 8, 7, 7}, 8, 1, 5, 1, 0},                               // 5x5, no pads
      {U8, U8, {1, 96, 56, 56}, 96, 96},                                   // MobileNet sizes
      {U8, U8, {1, 96, 28, 28}, 160, 1, 1, 1, 0},                          // (AMX kernels)
  };
  cases[0].x_zp = 128, cases[0].y_zp = 100;
  cases[1].per_channel = false, cases[1].x_zp = 3, cases[1].y_zp = 0;
  cases[2].x_zp = 77, cases[2].y_zp = 128, cases[2].bias = false;
  cases[3].x_zp = 128, cases[3].y_zp = 128;
  cases[4].x_zp = 10, cases[4].y_zp = 200;
  cases[5].x_zp = 0, cases[5].y_zp = -5;
  cases[6].x_zp = 0, cases[6].y_zp = 0;
  cases[7].x_zp = -20, cases[7].y_zp = 128;
  cases[8].x_zp = 114, cases[8].y_zp = 128;
  cases[9].x_zp = 128, cases[9].y_zp = 3, cases[9].per_channel = false;
  cases[10].x_zp = 128, cases[10].y_zp = 128;
  cases[11].x_zp = 0, cases[11].y_zp = 0;
  cases[12].x_zp = 119, cases[12].y_zp = 127;
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    check_conv(cases[i], static_cast<uint32_t>(i) + 1, ops::dnnl_ops::cpu_has_int8_dot() ? Backend::kDnnl : Backend::kReference);
  }
}

TEST(DnnlQLinearConv, DeclinesNonZeroWeightZeroPointsToTheReference) {
  ConvCase c{U8, U8, {1, 8, 8, 8}, 8};
  c.x_zp = 128, c.y_zp = 128, c.w_zp = 3;
  check_conv(c, 5, Backend::kReference);
}

struct MatMulCase {
  DataType a_type, y_type;
  Shape a;  // [..., M, K]
  int64_t n;
  bool per_column;
  int a_zp, y_zp;
};

TEST(DnnlQLinearMatMul, MatchesTheReference) {
  const std::vector<MatMulCase> cases = {
      {U8, U8, {1, 1280}, 1000, true, 128, 110},   // a classifier head
      {U8, U8, {7, 64}, 48, false, 3, 0},
      {S8, S8, {2, 3, 96}, 33, true, 0, -4},        // batched a, s8
      {U8, S8, {16, 256}, 64, true, 200, 0},
      {S8, U8, {5, 40}, 17, false, -9, 128},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const MatMulCase& c = cases[i];
    const int64_t k = c.a.back();
    const uint32_t seed = static_cast<uint32_t>(i) + 50;
    TestModel m(13);
    m.input("a", c.a_type, c.a);
    m.initializer("as", Tensor::scalar<float>(0.03f));
    m.initializer("az", zero_point(c.a_type, c.a_zp));
    m.initializer("b", random_ints<int8_t>({k, c.n}, seed, -127, 127));
    std::vector<float> bs(static_cast<size_t>(c.per_column ? c.n : 1));
    for (size_t j = 0; j < bs.size(); ++j) bs[j] = 0.004f + 0.0003f * static_cast<float>(j % 13);
    m.initializer("bs", Tensor::from_vector<float>({static_cast<int64_t>(bs.size())}, bs));
    m.initializer("bz", c.per_column ? Tensor::from_vector<int8_t>({c.n}, std::vector<int8_t>(static_cast<size_t>(c.n), 0))
                                     : Tensor::scalar<int8_t>(0));
    const float acc_std = std::sqrt(static_cast<float>(k)) * 74.f * 74.f;
    m.initializer("ys", Tensor::scalar<float>(0.03f * 0.005f * acc_std / 40.f));
    m.initializer("yz", zero_point(c.y_type, c.y_zp));
    m.node("QLinearMatMul", {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"});
    m.output("y", c.y_type);
    SessionOptions opts;
    auto fast = m.session(opts);
    ASSERT_TRUE(fast.is_ok()) << fast.status().to_string();
    EXPECT_EQ((*fast)->executor().backends()[0],
              ops::dnnl_ops::cpu_has_int8_dot() ? Backend::kDnnl : Backend::kReference);
    Runs r = run_both(m, {random_q8(c.a_type, c.a, seed + 1)});
    ASSERT_EQ(r.fast.size(), 1u);
    ASSERT_EQ(r.ref.size(), 1u);
    auto [worst, count] = diff8(r.fast[0], r.ref[0]);
    EXPECT_EQ(count, 0) << "values differ, by up to " << worst;
  }
}

// MatMulInteger with a run-time a zero point (as DynamicQuantizeLinear produces it) and a
// constant int8 b: exact int32 sums, so the oneDNN kernel must equal the reference exactly.
TEST(DnnlMatMulInteger, MatchesTheReferenceWithRunTimeZeroPoint) {
  for (DataType at : {U8, S8}) {
    SCOPED_TRACE(at == U8 ? "u8" : "s8");
    TestModel m(13);
    const Shape a_shape{2, 5, 96};
    m.input("a", at, a_shape);
    m.input("az", at, {});
    m.initializer("b", random_ints<int8_t>({96, 40}, 3));
    m.initializer("bz", Tensor::scalar<int8_t>(0));
    m.node("MatMulInteger", {"a", "b", "az", "bz"}, {"y"});
    m.output("y", DataType::kInt32);
    auto fast = m.session();
    ASSERT_TRUE(fast.is_ok()) << fast.status().to_string();
    EXPECT_EQ((*fast)->executor().backends()[0],
              ops::dnnl_ops::cpu_has_int8_dot() ? Backend::kDnnl : Backend::kReference);
    Runs r = run_both(m, {random_q8(at, a_shape, 4), zero_point(at, at == U8 ? 131 : -7)});
    ASSERT_EQ(r.fast.size(), 1u);
    ASSERT_EQ(r.ref.size(), 1u);
    ASSERT_EQ(r.fast[0].shape(), (Shape{2, 5, 40}));
    int64_t differ = 0;
    for (int64_t i = 0; i < r.ref[0].numel(); ++i) differ += r.fast[0].data<int32_t>()[i] != r.ref[0].data<int32_t>()[i];
    EXPECT_EQ(differ, 0);
  }
}

// An inverted-residual block as ONNX Runtime's quantiser writes it, in the int8 layout region:
// QLinearConv (1x1) -> QLinearConv (depthwise) -> QLinearConv (1x1) -> QLinearAdd with the
// block input -> QLinearGlobalAveragePool. The activations stay uint8 in NHWC throughout.
TEST(DnnlQLinearConv, Int8RegionMatchesTheReference) {
  TestModel m(13);
  m.import_domain("com.microsoft", 1);
  const int64_t c = 16, e = 48, h = 14;
  m.input("x", U8, {1, c, h, h});
  m.initializer("s0", Tensor::scalar<float>(0.02f));
  m.initializer("z0", Tensor::scalar<uint8_t>(128));
  auto conv = [&](const std::string& in, const std::string& out, int64_t cin, int64_t cout, int64_t group,
                  int64_t k, uint32_t seed) {
    const std::string p = out + "_";
    m.initializer(p + "w", random_ints<int8_t>({cout, cin / group, k, k}, seed, -127, 127));
    m.initializer(p + "ws", Tensor::from_vector<float>({cout}, std::vector<float>(static_cast<size_t>(cout), 0.005f)));
    m.initializer(p + "wz", Tensor::from_vector<int8_t>({cout}, std::vector<int8_t>(static_cast<size_t>(cout), 0)));
    m.initializer(p + "b", random_ints<int32_t>({cout}, seed + 1, -5000, 5000));
    const float acc_std = std::sqrt(static_cast<float>(cin / group * k * k)) * 74.f * 74.f;
    m.initializer(p + "ys", Tensor::scalar<float>(0.02f * 0.005f * acc_std / 40.f / 74.f * 60.f));
    auto& n = m.node("QLinearConv", {in, "s0", "z0", p + "w", p + "ws", p + "wz", p + "ys", "z0", p + "b"}, {out});
    set_attr(n, "group", group);
    set_attr(n, "kernel_shape", std::vector<int64_t>{k, k});
    set_attr(n, "pads", std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2});
  };
  // Every conv writes with scale "<out>_ys" but the next reads with s0: the models
  // quantisers write share one scale per tensor, and a mismatch only changes the numbers.
  conv("x", "a", c, e, 1, 1, 10);
  conv("a", "b", e, e, e, 3, 20);
  conv("b", "c", e, c, 1, 1, 30);
  m.initializer("sc", Tensor::scalar<float>(0.03f));
  m.node("QLinearAdd", {"c", "s0", "z0", "x", "s0", "z0", "sc", "z0"}, {"d"}, "com.microsoft");
  conv("d", "f", c, e, 1, 1, 40);
  m.node("QLinearGlobalAveragePool", {"f", "s0", "z0", "s0", "z0"}, {"y"}, "com.microsoft");
  Shape ys{1, e, 1, 1};
  m.output("y", U8, &ys);
  Shape ds{1, c, h, h};
  m.output("d", U8, &ds);  // a graph output inside the region: must come out plain

  SessionOptions opts;
  auto fast = m.session(opts);
  ASSERT_TRUE(fast.is_ok()) << fast.status().to_string();
  int tagged = 0;
  for (const Value& v : (*fast)->graph().values) tagged += v.layout == "nhwc";
  if (ops::dnnl_ops::cpu_has_int8_dot()) EXPECT_GE(tagged, 4) << "the int8 values should stay in NHWC between the int8 ops";
  Runs r = run_both(m, {random_ints<uint8_t>({1, c, h, h}, 7)});
  ASSERT_EQ(r.fast.size(), 2u);
  ASSERT_EQ(r.ref.size(), 2u);
  for (int o = 0; o < 2; ++o) {
    auto [worst, count] = diff8(r.fast[static_cast<size_t>(o)], r.ref[static_cast<size_t>(o)]);
    EXPECT_EQ(count, 0) << "output " << o << ": values differ, by up to " << worst;
  }
}

// The int8 MobileNetV2 of $FOGLINE_SHARED: the fast kernels against the reference kernels on
// the reference inputs (OpenCV's outputs are checked in quant_test.cpp): the same logits
// (the grid step of the final DequantizeLinear is reported when they are not).
TEST(DnnlQLinearConv, MobileNetV2Int8AgreesWithTheReferenceKernels) {
  FOGLINE_REQUIRE_SHARED("models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx");
  namespace fs = std::filesystem;
  const fs::path dir = testing::shared_dir() / "models/mobilenetv2-12-int8";
  SessionOptions ref_opts;
  ref_opts.reference_only = true;
  const std::string path = (dir / "mobilenetv2-12-int8.onnx").string();
  auto fast = Session::open(path);
  auto ref = Session::open(path, ref_opts);
  ASSERT_TRUE(fast.is_ok() && ref.is_ok());
  for (const char* set : {"test_data_set_0", "test_data_set_1"}) {
    SCOPED_TRACE(set);
    auto input = read_tensor_pb((dir / "reference_opencv" / set / "input_0.pb").string());
    ASSERT_TRUE(input.is_ok());
    auto a = (*fast)->run({*input});
    auto b = (*ref)->run({*input});
    ASSERT_TRUE(a.is_ok() && b.is_ok());
    const Tensor& x = (*a)[0];
    const Tensor& y = (*b)[0];
    ASSERT_EQ(x.shape(), y.shape());
    std::vector<float> grid(y.data<float>(), y.data<float>() + y.numel());
    std::sort(grid.begin(), grid.end());
    float step = std::numeric_limits<float>::max();
    for (size_t i = 1; i < grid.size(); ++i)
      if (grid[i] > grid[i - 1]) step = std::min(step, grid[i] - grid[i - 1]);
    int64_t best_x = 0, best_y = 0;
    float worst = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      worst = std::max(worst, std::fabs(x.data<float>()[i] - y.data<float>()[i]));
      if (x.data<float>()[i] > x.data<float>()[best_x]) best_x = i;
      if (y.data<float>()[i] > y.data<float>()[best_y]) best_y = i;
    }
    EXPECT_EQ(best_x, best_y);
    EXPECT_EQ(worst, 0.f) << "one quantisation step is " << step;
  }
}

}  // namespace
}  // namespace fogline::engine
