// Unit tests for the shape, index and reduce kernels: each op on a small one-node model, a
// couple of shapes, and bad inputs that must come back as errors rather than crashes.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/model_builder.h"

namespace fogline::engine {
namespace {

using testing::set_attr;
using testing::TestModel;

// A one-node model under construction: runtime inputs, constant inputs, attributes.
class OneNode {
 public:
  OneNode(const std::string& op, int opset = 13, int outputs = 1) : m_(opset), op_(op) {
    for (int i = 0; i < outputs; ++i) outs_.push_back("y" + std::to_string(i));
  }
  // A runtime input.
  OneNode& in(const Tensor& t) {
    const std::string name = "x" + std::to_string(ins_.size());
    m_.input(name, t.dtype(), t.shape());
    ins_.push_back(name);
    feeds_.push_back(t);
    return *this;
  }
  // A constant (initializer) input.
  OneNode& constant(const Tensor& t) {
    const std::string name = "c" + std::to_string(ins_.size());
    m_.initializer(name, t);
    ins_.push_back(name);
    return *this;
  }
  OneNode& absent() {
    ins_.push_back("");
    return *this;
  }
  OneNode& attrs(std::function<void(onnx::NodeProto&)> f) {
    attrs_ = std::move(f);
    return *this;
  }
  Result<std::vector<Tensor>> run() {
    auto& n = m_.node(op_, ins_, outs_);
    if (attrs_) attrs_(n);
    for (const auto& o : outs_) m_.output(o);
    // Bad-input cases defeat ONNX shape inference, so skip the checker; test the reference
    // kernels themselves, not whichever backend would be picked.
    SessionOptions options;
    options.import.run_checker = false;
    options.reference_only = true;
    auto s = m_.session(options);
    if (!s.is_ok()) return s.status();
    return (*s)->run(feeds_);
  }

 private:
  TestModel m_;
  std::string op_;
  std::vector<std::string> ins_, outs_;
  std::vector<Tensor> feeds_;
  std::function<void(onnx::NodeProto&)> attrs_;
};

Tensor f32(const Shape& s, const std::vector<float>& v) { return Tensor::from_vector<float>(s, v); }
Tensor i64(const Shape& s, const std::vector<int64_t>& v) { return Tensor::from_vector<int64_t>(s, v); }
Tensor i64s(const std::vector<int64_t>& v) { return i64({static_cast<int64_t>(v.size())}, v); }

template <typename T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

// Runs and expects success; returns the outputs. Throws (which gtest reports as a failure of
// the test) so that callers never index missing outputs.
std::vector<Tensor> ok(OneNode&& n) {
  auto r = n.run();
  if (!r.is_ok()) throw std::runtime_error(r.status().to_string());
  return *r;
}

// Runs and expects an invalid_argument error mentioning `needle`.
void fails(OneNode&& n, const std::string& needle) {
  auto r = n.run();
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().to_string();
}

// ---- shape ----

TEST(ShapeOps, Transpose) {
  auto y = ok(std::move(OneNode("Transpose").in(f32({2, 3}, {1, 2, 3, 4, 5, 6}))));
  ASSERT_EQ(y.size(), 1u);
  EXPECT_EQ(y[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  Tensor x = testing::random_tensor({2, 3, 4}, 1);
  y = ok(std::move(OneNode("Transpose").in(x).attrs([](auto& n) { set_attr(n, "perm", std::vector<int64_t>{1, 2, 0}); })));
  ASSERT_EQ(y[0].shape(), (Shape{3, 4, 2}));
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 4; ++c) EXPECT_EQ(y[0].data<float>()[(b * 4 + c) * 2 + a], x.data<float>()[(a * 3 + b) * 4 + c]);
  fails(std::move(OneNode("Transpose").in(x).attrs([](auto& n) { set_attr(n, "perm", std::vector<int64_t>{0, 0, 1}); })),
        "repeated");
}

// Shapes big enough for the tiled path (source-contiguous dim moved away from the end).
TEST(ShapeOps, TransposeTiledMatchesNaive) {
  Tensor x = testing::random_tensor({3, 20, 17}, 5);
  for (const std::vector<int64_t>& perm : std::vector<std::vector<int64_t>>{{0, 2, 1}, {2, 1, 0}, {2, 0, 1}}) {
    auto y = ok(std::move(OneNode("Transpose").in(x).attrs([perm](auto& n) { set_attr(n, "perm", perm); })));
    const Shape& ys = y[0].shape();
    const int64_t in_strides[3] = {20 * 17, 17, 1};
    for (int64_t a = 0; a < ys[0]; ++a)
      for (int64_t b = 0; b < ys[1]; ++b)
        for (int64_t c = 0; c < ys[2]; ++c) {
          const int64_t src = a * in_strides[perm[0]] + b * in_strides[perm[1]] + c * in_strides[perm[2]];
          ASSERT_EQ(y[0].data<float>()[(a * ys[1] + b) * ys[2] + c], x.data<float>()[src]);
        }
  }
}

TEST(ShapeOps, ConcatNumbersAndStrings) {
  auto y = ok(std::move(OneNode("Concat").in(f32({2, 1}, {1, 2})).in(f32({2, 2}, {3, 4, 5, 6})).attrs([](auto& n) {
    set_attr(n, "axis", -1);
  })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 3, 4, 2, 5, 6}));
  auto s = Tensor::from_vector<std::string>({2}, {"a", "b"});
  y = ok(std::move(OneNode("Concat").in(s).in(s).attrs([](auto& n) { set_attr(n, "axis", 0); })));
  EXPECT_EQ(values<std::string>(y[0]), (std::vector<std::string>{"a", "b", "a", "b"}));
  fails(std::move(OneNode("Concat").in(f32({2, 1}, {})).in(f32({3, 2}, {})).attrs([](auto& n) { set_attr(n, "axis", 1); })),
        "does not match");
}

TEST(ShapeOps, ShapeSizeWithStartEnd) {
  auto y = ok(std::move(OneNode("Shape", 15).in(f32({2, 3, 4}, {})).attrs([](auto& n) {
    set_attr(n, "start", 1);
    set_attr(n, "end", -5);
  })));
  EXPECT_EQ(y[0].numel(), 0);
  y = ok(std::move(OneNode("Shape", 15).in(f32({2, 3, 4}, {})).attrs([](auto& n) { set_attr(n, "start", -2); })));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{3, 4}));
  y = ok(std::move(OneNode("Size").in(f32({2, 3, 4}, {}))));
  EXPECT_EQ(y[0].data<int64_t>()[0], 24);
}

TEST(ShapeOps, SqueezeUnsqueezeFlatten) {
  auto y = ok(std::move(OneNode("Squeeze").in(f32({1, 3, 1}, {1, 2, 3})).constant(i64s({-1}))));
  EXPECT_EQ(y[0].shape(), (Shape{1, 3}));
  y = ok(std::move(OneNode("Squeeze", 11).in(f32({1, 3, 1}, {1, 2, 3}))));
  EXPECT_EQ(y[0].shape(), (Shape{3}));
  fails(std::move(OneNode("Squeeze").in(f32({1, 3, 1}, {})).constant(i64s({1}))), "expected 1");
  y = ok(std::move(OneNode("Unsqueeze").in(f32({3}, {1, 2, 3})).constant(i64s({2, 0}))));
  EXPECT_EQ(y[0].shape(), (Shape{1, 3, 1}));
  y = ok(std::move(OneNode("Unsqueeze", 11).in(f32({3}, {1, 2, 3})).attrs([](auto& n) {
    set_attr(n, "axes", std::vector<int64_t>{-1});
  })));
  EXPECT_EQ(y[0].shape(), (Shape{3, 1}));
  fails(std::move(OneNode("Unsqueeze").in(f32({3}, {})).constant(i64s({5}))), "out of range");
  y = ok(std::move(OneNode("Flatten").in(f32({2, 3, 4}, {})).attrs([](auto& n) { set_attr(n, "axis", -1); })));
  EXPECT_EQ(y[0].shape(), (Shape{6, 4}));
  y = ok(std::move(OneNode("Flatten").in(f32({2, 3, 4}, {})).attrs([](auto& n) { set_attr(n, "axis", 0); })));
  EXPECT_EQ(y[0].shape(), (Shape{1, 24}));
}

TEST(ShapeOps, SliceClampsAndStepsBackwards) {
  Tensor x = f32({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  auto y = ok(std::move(OneNode("Slice").in(x).constant(i64s({-1, 100})).constant(i64s({-1000, -1000}))
                            .constant(i64s({0, 1})).constant(i64s({-1, -2}))));
  EXPECT_EQ(y[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{7, 5, 3, 1}));
  y = ok(std::move(OneNode("Slice", 9).in(x).attrs([](auto& n) {
    set_attr(n, "starts", std::vector<int64_t>{1});
    set_attr(n, "ends", std::vector<int64_t>{3});
    set_attr(n, "axes", std::vector<int64_t>{1});
  })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 2, 5, 6}));
  fails(std::move(OneNode("Slice").in(x).constant(i64s({0})).constant(i64s({1})).constant(i64s({0})).constant(i64s({0}))),
        "step");
}

TEST(ShapeOps, SplitExpandTile) {
  auto y = ok(std::move(OneNode("Split", 13, 2).in(f32({5}, {1, 2, 3, 4, 5})).constant(i64s({2, 3}))));
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(values<float>(y[1]), (std::vector<float>{3, 4, 5}));
  fails(std::move(OneNode("Split", 13, 2).in(f32({5}, {}))), "equal parts");
  y = ok(std::move(OneNode("Expand").in(f32({3, 1}, {1, 2, 3})).constant(i64s({2, 1, 2}))));
  EXPECT_EQ(y[0].shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  fails(std::move(OneNode("Expand").in(f32({3}, {})).constant(i64s({2}))), "cannot be broadcast");
  y = ok(std::move(OneNode("Tile").in(f32({2}, {1, 2})).constant(i64s({3}))));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 2, 1, 2, 1, 2}));
  fails(std::move(OneNode("Tile").in(f32({2}, {})).constant(i64s({1, 2}))), "rank");
}

TEST(ShapeOps, PadModes) {
  Tensor x = f32({3}, {1, 2, 3});
  auto pad = [&](const std::string& mode) {
    return ok(std::move(OneNode("Pad").in(x).constant(i64s({2, 3})).attrs([mode](auto& n) { set_attr(n, "mode", mode); })));
  };
  EXPECT_EQ(values<float>(pad("constant")[0]), (std::vector<float>{0, 0, 1, 2, 3, 0, 0, 0}));
  EXPECT_EQ(values<float>(pad("edge")[0]), (std::vector<float>{1, 1, 1, 2, 3, 3, 3, 3}));
  EXPECT_EQ(values<float>(pad("reflect")[0]), (std::vector<float>{3, 2, 1, 2, 3, 2, 1, 2}));
  auto y = ok(std::move(OneNode("Pad").in(x).constant(i64s({-1, 1})).constant(Tensor::scalar<float>(9))));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{2, 3, 9}));
  y = ok(std::move(OneNode("Pad", 2).in(f32({1, 2}, {1, 2})).attrs([](auto& n) {
    set_attr(n, "pads", std::vector<int64_t>{0, 1, 0, 0});
    set_attr(n, "value", 5.0f);
  })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{5, 1, 2}));
  fails(std::move(OneNode("Pad").in(x).constant(i64s({1}))), "expected 2");
}

TEST(ShapeOps, ConstantOfShapeAndRange) {
  auto y = ok(std::move(OneNode("ConstantOfShape").in(i64s({2, 2}))));
  EXPECT_EQ(y[0].dtype(), DataType::kFloat);
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{0, 0, 0, 0}));
  y = ok(std::move(OneNode("Range").in(Tensor::scalar<int32_t>(10)).in(Tensor::scalar<int32_t>(1))
                       .in(Tensor::scalar<int32_t>(-3))));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{10, 7, 4}));
  y = ok(std::move(OneNode("Range").in(Tensor::scalar<float>(0)).in(Tensor::scalar<float>(1))
                       .in(Tensor::scalar<float>(0.25f))));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{0, 0.25f, 0.5f, 0.75f}));
  fails(std::move(OneNode("Range").in(Tensor::scalar<float>(0)).in(Tensor::scalar<float>(1)).in(Tensor::scalar<float>(0))),
        "delta");
}

TEST(ShapeOps, DepthSpaceRoundTripAndReverseSequence) {
  Tensor x = testing::random_tensor({1, 8, 2, 3}, 3);
  for (const char* mode : {"DCR", "CRD"}) {
    auto d = ok(std::move(OneNode("DepthToSpace").in(x).attrs([mode](auto& n) {
      set_attr(n, "blocksize", 2);
      set_attr(n, "mode", std::string(mode));
    })));
    ASSERT_EQ(d[0].shape(), (Shape{1, 2, 4, 6}));
    // Pixel (1, 2) of output channel 1 comes from input channel 1*4 + 1*2 + 0 (CRD) or 1*4 + 0*2 + 1... (DCR).
    const int c_in = std::string(mode) == "CRD" ? 1 * 4 + 1 * 2 + 0 : (1 * 2 + 0) * 2 + 1;
    EXPECT_EQ(d[0].data<float>()[(1 * 4 + 1) * 6 + 2], x.data<float>()[(c_in * 2 + 0) * 3 + 1]);
  }
  auto d = ok(std::move(OneNode("DepthToSpace").in(x).attrs([](auto& n) { set_attr(n, "blocksize", 2); })));
  auto s = ok(std::move(OneNode("SpaceToDepth").in(d[0]).attrs([](auto& n) { set_attr(n, "blocksize", 2); })));
  EXPECT_EQ(values<float>(s[0]), values<float>(x));
  fails(std::move(OneNode("SpaceToDepth").in(f32({1, 1, 3, 3}, {})).attrs([](auto& n) { set_attr(n, "blocksize", 2); })),
        "divisible");
  auto r = ok(std::move(OneNode("ReverseSequence", 10).in(f32({3, 2}, {1, 2, 3, 4, 5, 6})).in(i64s({3, 1}))));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{5, 2, 3, 4, 1, 6}));
  fails(std::move(OneNode("ReverseSequence", 10).in(f32({3, 2}, {})).in(i64s({4, 1}))), "outside");
}

// ---- index ----

TEST(IndexOps, GatherIncludingStrings) {
  auto y = ok(std::move(OneNode("Gather").in(f32({3, 2}, {1, 2, 3, 4, 5, 6})).in(i64({2}, {-1, 0}))));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{5, 6, 1, 2}));
  y = ok(std::move(OneNode("Gather").in(f32({3, 2}, {1, 2, 3, 4, 5, 6})).in(i64({}, {1})).attrs([](auto& n) {
    set_attr(n, "axis", 1);
  })));
  EXPECT_EQ(y[0].shape(), (Shape{3}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{2, 4, 6}));
  y = ok(std::move(OneNode("Gather").in(Tensor::from_vector<std::string>({2}, {"x", "y"})).in(i64({2}, {1, 1}))));
  EXPECT_EQ(values<std::string>(y[0]), (std::vector<std::string>{"y", "y"}));
  fails(std::move(OneNode("Gather").in(f32({3}, {})).in(i64({1}, {3}))), "out of range");
}

TEST(IndexOps, GatherElementsAndGatherND) {
  auto y = ok(std::move(OneNode("GatherElements").in(f32({2, 2}, {1, 2, 3, 4})).in(i64({2, 2}, {0, 0, 1, 0})).attrs(
      [](auto& n) { set_attr(n, "axis", 1); })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 1, 4, 3}));
  fails(std::move(OneNode("GatherElements").in(f32({2, 2}, {})).in(i64({2, 2}, {0, 2, 0, 0}))), "out of range");
  y = ok(std::move(OneNode("GatherND").in(f32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7})).in(i64({2, 1}, {1, 0})).attrs(
      [](auto& n) { set_attr(n, "batch_dims", 1); })));
  EXPECT_EQ(y[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{2, 3, 4, 5}));
  fails(std::move(OneNode("GatherND").in(f32({2, 2}, {})).in(i64({1, 3}, {0, 0, 0}))), "exceeds");
}

TEST(IndexOps, ScatterElementsAndScatterND) {
  auto y = ok(std::move(OneNode("ScatterElements", 16).in(f32({1, 3}, {1, 2, 3})).in(i64({1, 2}, {1, 1}))
                            .in(f32({1, 2}, {10, 20})).attrs([](auto& n) {
                              set_attr(n, "axis", 1);
                              set_attr(n, "reduction", std::string("add"));
                            })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 32, 3}));
  fails(std::move(OneNode("ScatterElements").in(f32({3}, {})).in(i64({1}, {-4})).in(f32({1}, {0}))), "out of range");
  y = ok(std::move(OneNode("ScatterND", 16).in(f32({2, 2}, {1, 2, 3, 4})).in(i64({1, 1}, {1})).in(f32({1, 2}, {2, 3}))
                       .attrs([](auto& n) { set_attr(n, "reduction", std::string("mul")); })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 2, 6, 12}));
  fails(std::move(OneNode("ScatterND").in(f32({2, 2}, {})).in(i64({1, 1}, {0})).in(f32({1, 3}, {}))), "expected");
}

TEST(IndexOps, OneHotNonZeroTriluEyeLike) {
  auto y = ok(std::move(OneNode("OneHot", 11).in(i64({3}, {0, -1, 5})).in(Tensor::scalar<int64_t>(3))
                            .in(f32({2}, {0, 1}))));
  EXPECT_EQ(y[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0}));
  fails(std::move(OneNode("OneHot", 11).in(i64({1}, {0})).in(Tensor::scalar<int64_t>(0)).in(f32({2}, {0, 1}))),
        "positive");
  y = ok(std::move(OneNode("NonZero").in(f32({2, 2}, {0, 1, 1, 0}))));
  EXPECT_EQ(y[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{0, 1, 1, 0}));
  y = ok(std::move(OneNode("Trilu", 14).in(f32({2, 3}, {1, 2, 3, 4, 5, 6})).in(Tensor::scalar<int64_t>(1))));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{0, 2, 3, 0, 0, 6}));
  y = ok(std::move(OneNode("Trilu", 14).in(f32({2, 3}, {1, 2, 3, 4, 5, 6})).attrs([](auto& n) { set_attr(n, "upper", 0); })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 0, 0, 4, 5, 0}));
  fails(std::move(OneNode("Trilu", 14).in(f32({3}, {}))), "rank >= 2");
  y = ok(std::move(OneNode("EyeLike").in(f32({2, 3}, {})).attrs([](auto& n) {
    set_attr(n, "k", -1);
    set_attr(n, "dtype", static_cast<int>(DataType::kInt32));
  })));
  EXPECT_EQ(values<int32_t>(y[0]), (std::vector<int32_t>{0, 0, 0, 1, 0, 0}));
}

TEST(IndexOps, CompressAndUnique) {
  auto cond = Tensor::from_vector<bool>({2}, {false, true});
  auto y = ok(std::move(OneNode("Compress").in(f32({2, 2}, {1, 2, 3, 4})).in(cond).attrs([](auto& n) {
    set_attr(n, "axis", 1);
  })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{2, 4}));
  y = ok(std::move(OneNode("Compress").in(f32({2, 2}, {1, 2, 3, 4})).in(cond)));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{2}));
  fails(std::move(OneNode("Compress").in(f32({1}, {1})).in(cond)), "beyond");
  y = ok(std::move(OneNode("Unique", 11, 4).in(f32({5}, {3, 1, 3, 2, 1})).attrs([](auto& n) { set_attr(n, "sorted", 0); })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{3, 1, 2}));
  EXPECT_EQ(values<int64_t>(y[1]), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(values<int64_t>(y[2]), (std::vector<int64_t>{0, 1, 0, 2, 1}));
  EXPECT_EQ(values<int64_t>(y[3]), (std::vector<int64_t>{2, 2, 1}));
  y = ok(std::move(OneNode("Unique", 11, 4).in(f32({5}, {3, 1, 3, 2, 1}))));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 2, 3}));
}

TEST(IndexOps, NonMaxSuppression) {
  // Two overlapping boxes and one apart; the lower-scoring overlapping one is suppressed.
  Tensor boxes = f32({1, 3, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 5, 1, 6});
  Tensor scores = f32({1, 1, 3}, {0.9f, 0.8f, 0.7f});
  auto y = ok(std::move(OneNode("NonMaxSuppression", 11).in(boxes).in(scores).in(i64({1}, {3}))
                            .in(f32({1}, {0.5f}))));
  EXPECT_EQ(y[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{0, 0, 0, 0, 0, 2}));
  fails(std::move(OneNode("NonMaxSuppression", 11).in(f32({1, 3, 3}, {})).in(scores)), "boxes must be");
}

// ---- reduce ----

// Naive reference: sums over `axes` of a [2,3,4,5] tensor (keepdims).
std::vector<float> naive_sum(const Tensor& x, const std::vector<int>& axes) {
  const Shape& s = x.shape();
  Shape os = s;
  for (int a : axes) os[static_cast<size_t>(a)] = 1;
  std::vector<float> out(static_cast<size_t>(numel(os)), 0.0f);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t rem = i, o = 0, mul = 1;
    for (int d = static_cast<int>(s.size()) - 1; d >= 0; --d) {
      const int64_t c = rem % s[static_cast<size_t>(d)];
      rem /= s[static_cast<size_t>(d)];
      o += (os[static_cast<size_t>(d)] == 1 ? 0 : c) * mul;
      mul *= os[static_cast<size_t>(d)];
    }
    out[static_cast<size_t>(o)] += x.data<float>()[i];
  }
  return out;
}

TEST(ReduceOps, SumMatchesNaiveForEveryLayout) {
  Tensor x = testing::random_tensor({2, 3, 4, 5}, 9);
  for (const std::vector<int>& axes : std::vector<std::vector<int>>{{3}, {2, 3}, {1}, {0}, {0, 2}, {1, 3}, {0, 1, 2, 3}}) {
    std::vector<int64_t> a(axes.begin(), axes.end());
    auto y = ok(std::move(OneNode("ReduceSum").in(x).constant(i64s(a))));
    auto want = naive_sum(x, axes);
    ASSERT_EQ(y[0].numel(), static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y[0].data<float>()[i], want[i], 1e-5) << "axes size " << axes.size();
  }
}

TEST(ReduceOps, AttributeAxesKeepdimsAndNoop) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto y = ok(std::move(OneNode("ReduceMean").in(x).attrs([](auto& n) {
    set_attr(n, "axes", std::vector<int64_t>{-1});
    set_attr(n, "keepdims", 0);
  })));
  EXPECT_EQ(y[0].shape(), (Shape{2}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{2, 5}));
  y = ok(std::move(OneNode("ReduceMax").in(x).attrs([](auto& n) { set_attr(n, "axes", std::vector<int64_t>{0}); })));
  EXPECT_EQ(y[0].shape(), (Shape{1, 3}));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{4, 5, 6}));
  y = ok(std::move(OneNode("ReduceSum").in(x).constant(i64({0}, {})).attrs([](auto& n) {
    set_attr(n, "noop_with_empty_axes", 1);
  })));
  EXPECT_EQ(values<float>(y[0]), values<float>(x));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  y = ok(std::move(OneNode("ReduceMax").in(f32({2, 9}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, nan})).attrs(
      [](auto& n) { set_attr(n, "axes", std::vector<int64_t>{1}); })));
  EXPECT_EQ(y[0].data<float>()[0], 9.0f);
  EXPECT_TRUE(std::isnan(y[0].data<float>()[1]));
  y = ok(std::move(OneNode("ReduceMin").in(f32({2, 2}, {nan, 1, 2, 3})).attrs(
      [](auto& n) { set_attr(n, "axes", std::vector<int64_t>{0}); })));
  EXPECT_TRUE(std::isnan(y[0].data<float>()[0]));
  EXPECT_EQ(y[0].data<float>()[1], 1.0f);
  y = ok(std::move(OneNode("ReduceL2").in(f32({2}, {3, 4}))));
  EXPECT_FLOAT_EQ(y[0].data<float>()[0], 5.0f);
  y = ok(std::move(OneNode("ReduceLogSumExp").in(f32({2}, {1000, 1000}))));
  EXPECT_NEAR(y[0].data<float>()[0], 1000 + std::log(2.0f), 1e-3);
  y = ok(std::move(OneNode("ReduceProd").in(Tensor::from_vector<int32_t>({3}, {2, 3, 4}))));
  EXPECT_EQ(y[0].data<int32_t>()[0], 24);
  fails(std::move(OneNode("ReduceSum").in(x).constant(i64s({2}))), "out of range");
}

TEST(ReduceOps, ArgMaxTopKCumSum) {
  Tensor x = f32({2, 3}, {1, 3, 3, 5, 4, 5});
  auto y = ok(std::move(OneNode("ArgMax").in(x).attrs([](auto& n) { set_attr(n, "axis", 1); })));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{1, 0}));
  y = ok(std::move(OneNode("ArgMin").in(x).attrs([](auto& n) {
    set_attr(n, "axis", 0);
    set_attr(n, "keepdims", 0);
  })));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{0, 0, 0}));
  y = ok(std::move(OneNode("ArgMax").in(x).attrs([](auto& n) {
    set_attr(n, "axis", 1);
    set_attr(n, "select_last_index", 1);
  })));
  EXPECT_EQ(values<int64_t>(y[0]), (std::vector<int64_t>{2, 2}));
  y = ok(std::move(OneNode("TopK", 11, 2).in(x).constant(i64s({2}))));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{3, 3, 5, 5}));
  EXPECT_EQ(values<int64_t>(y[1]), (std::vector<int64_t>{1, 2, 0, 2}));
  y = ok(std::move(OneNode("TopK", 11, 2).in(x).constant(i64s({1})).attrs([](auto& n) { set_attr(n, "largest", 0); })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{1, 4}));
  fails(std::move(OneNode("TopK", 11, 2).in(x).constant(i64s({4}))), "out of range");
  y = ok(std::move(OneNode("CumSum").in(f32({4}, {1, 2, 3, 4})).constant(Tensor::scalar<int64_t>(0)).attrs([](auto& n) {
    set_attr(n, "exclusive", 1);
    set_attr(n, "reverse", 1);
  })));
  EXPECT_EQ(values<float>(y[0]), (std::vector<float>{9, 7, 4, 0}));
  fails(std::move(OneNode("CumSum").in(f32({4}, {})).constant(Tensor::scalar<int64_t>(1))), "out of range");
}

// Odd shapes (scalars, empty dims) and hostile values through every op: each run may fail,
// but must come back with a status (run under valgrind/ASan to catch memory errors).
TEST(ShapeOps, OddInputsNeverCrash) {
  const std::vector<Tensor> datas = {f32({}, {1}), f32({0}, {}), f32({2, 0, 3}, {}), f32({1, 1}, {5}),
                                     testing::random_tensor({2, 3, 4}, 4)};
  const std::vector<Tensor> ints = {i64({}, {0}), i64({0}, {}), i64s({-1}), i64s({1000000}), i64s({0, 0}),
                                    i64s({-9223372036854775807LL - 1, 9223372036854775807LL}), i64s({2, 1, 2})};
  struct Case {
    const char* op;
    int opset;
    int int_inputs;  // how many int64 inputs follow the data input
    int outputs;
  };
  const std::vector<Case> cases = {
      {"Transpose", 13, 0, 1}, {"Concat", 13, 0, 1}, {"Shape", 15, 0, 1}, {"Squeeze", 13, 1, 1},
      {"Unsqueeze", 13, 1, 1}, {"Flatten", 13, 0, 1}, {"Gather", 13, 1, 1}, {"Slice", 13, 2, 1},
      {"Split", 13, 1, 2}, {"Expand", 13, 1, 1}, {"Tile", 13, 1, 1}, {"Pad", 13, 1, 1},
      {"ReduceSum", 13, 1, 1}, {"ReduceMax", 18, 1, 1}, {"ReduceLogSumExp", 18, 1, 1}, {"ArgMax", 13, 0, 1},
      {"TopK", 11, 1, 2}, {"GatherElements", 13, 1, 1}, {"GatherND", 13, 1, 1}, {"ScatterND", 13, 1, 1},
      {"NonZero", 13, 0, 1}, {"CumSum", 13, 1, 1}, {"Trilu", 14, 1, 1}, {"DepthToSpace", 13, 0, 1},
      {"SpaceToDepth", 13, 0, 1}, {"EyeLike", 13, 0, 1}, {"Unique", 11, 0, 4}, {"ReverseSequence", 10, 1, 1},
      {"Compress", 13, 0, 1}, {"ConstantOfShape", 13, 0, 1}, {"OneHot", 11, 1, 1}};
  int runs = 0;
  for (const Case& c : cases) {
    for (const Tensor& d : datas) {
      for (const Tensor& k : ints) {
        OneNode n(c.op, c.opset, c.outputs);
        if (std::string(c.op) == "ConstantOfShape") {
          n.in(k);
        } else {
          n.in(d);
          for (int i = 0; i < c.int_inputs; ++i) n.in(k);
        }
        if (std::string(c.op) == "Compress") n.in(Tensor::from_vector<bool>({3}, {true, false, true}));
        if (std::string(c.op) == "OneHot") n.in(f32({2}, {0, 1}));
        if (std::string(c.op) == "ScatterND") n.in(d);
        n.attrs([](auto& node) {
          set_attr(node, "axis", -1);
          set_attr(node, "blocksize", 2);
        });
        (void)n.run();
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 0);
}

}  // namespace
}  // namespace fogline::engine
