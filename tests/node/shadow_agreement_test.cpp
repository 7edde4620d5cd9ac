// The agreement rules of shadow mode, on hand-computed cases: top-1 per item, the greedy
// same-class IoU matching of detections, and the dispatch by the production model's spec.
#include <gtest/gtest.h>

#include "node/shadow/agreement.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

using engine::Tensor;
using processing::Detection;
namespace sh = node::shadow;

Detection box(int cls, double x, double y, double w, double h) { return {cls, 0.9f, x, y, w, h}; }

TEST(ShadowAgreement, ArgmaxTiesGoToTheLowerIndex) {
  EXPECT_EQ(sh::argmax({1, 3, 3}), 1);
  EXPECT_EQ(sh::argmax({-2, -1, -5}), 1);
  EXPECT_EQ(sh::argmax({}), -1);
}

TEST(ShadowAgreement, TopOnePerItemOfTheFirstDimension) {
  // Row 0: 3 vs 3 (agree); row 1: 0 vs 1 (disagree); row 2: all equal, 0 vs 0 (agree) -> 2/3.
  Tensor a = Tensor::from_vector<float>({3, 4}, {1, 2, 3, 4, 4, 3, 2, 1, 0, 0, 0, 0});
  Tensor b = Tensor::from_vector<float>({3, 4}, {0, 0, 0, 9, 1, 3, 2, 1, 5, 5, 5, 5});
  auto r = sh::top1_agreement(a, b);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(*r, 2.0 / 3.0);
  // A vector is one item.
  auto one = sh::top1_agreement(Tensor::from_vector<float>({2}, {0.1f, 0.9f}), Tensor::from_vector<float>({2}, {0.8f, 0.2f}));
  ASSERT_TRUE(one.is_ok());
  EXPECT_EQ(*one, 0.0);
  // Other datatypes rank the same way.
  auto ints = sh::top1_agreement(Tensor::from_vector<int64_t>({1, 3}, {1, 7, 2}), Tensor::from_vector<int64_t>({1, 3}, {0, 9, 9}));
  ASSERT_TRUE(ints.is_ok());
  EXPECT_EQ(*ints, 1.0);
}

TEST(ShadowAgreement, OutputsOfAnotherShapeCannotBeCompared) {
  auto r = sh::top1_agreement(Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4}), Tensor::from_vector<float>({1, 3}, {1, 2, 3}));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("the shadow's output is [1,3], production's [1,4]"), std::string::npos)
      << r.status().message();
}

TEST(ShadowAgreement, BoxIou) {
  // Overlap 1x1 of two 2x2 boxes: 1 / (4 + 4 - 1).
  EXPECT_DOUBLE_EQ(sh::box_iou(box(0, 0, 0, 2, 2), box(0, 1, 1, 2, 2)), 1.0 / 7.0);
  EXPECT_DOUBLE_EQ(sh::box_iou(box(0, 3, 4, 5, 6), box(0, 3, 4, 5, 6)), 1.0);
  EXPECT_EQ(sh::box_iou(box(0, 0, 0, 2, 2), box(0, 2, 0, 2, 2)), 0.0);  // touching edges
  EXPECT_EQ(sh::box_iou(box(0, 0, 0, 0, 2), box(0, 0, 0, 0, 2)), 0.0);  // no area
}

TEST(ShadowAgreement, DetectionsMatchSameClassBoxesOneToOne) {
  EXPECT_EQ(sh::detection_agreement({}, {}), 1.0) << "both saw nothing: they agree";
  EXPECT_EQ(sh::detection_agreement({box(0, 0, 0, 10, 10)}, {}), 0.0);
  EXPECT_EQ(sh::detection_agreement({}, {box(0, 0, 0, 10, 10), box(1, 0, 0, 10, 10)}), 0.0);

  // A shifted by one pixel: IoU 90/110 = 0.82, matched. B has the shadow's class 2 at the
  // same place: not matched. The shadow's extra C matches nothing. 1 / max(2, 3).
  std::vector<Detection> production{box(0, 0, 0, 10, 10), box(1, 20, 20, 10, 10)};
  std::vector<Detection> shadow{box(0, 1, 0, 10, 10), box(2, 20, 20, 10, 10), box(1, 50, 50, 5, 5)};
  EXPECT_DOUBLE_EQ(sh::detection_agreement(production, shadow), 1.0 / 3.0);

  // IoU exactly 0.5 (a 10x10 box and its top half: 50 / 100) matches; just below does not.
  EXPECT_EQ(sh::detection_agreement({box(0, 0, 0, 10, 10)}, {box(0, 0, 0, 10, 5)}), 1.0);
  EXPECT_EQ(sh::detection_agreement({box(0, 0, 0, 10, 10)}, {box(0, 0, 0, 10, 4.9)}), 0.0);

  // One shadow box overlapping two production boxes is matched once, to the closer one
  // (P2: 90/110 beats P1: 80/120): 1 / 2.
  std::vector<Detection> two{box(0, 0, 0, 10, 10), box(0, 3, 0, 10, 10)};
  EXPECT_DOUBLE_EQ(sh::detection_agreement(two, {box(0, 2, 0, 10, 10)}), 0.5);
  // Best overlap first: P1-S1 (IoU 1), then P2 (IoU 90/110 with both) takes the free S2.
  std::vector<Detection> shadow2{box(0, 0, 0, 10, 10), box(0, 2, 0, 10, 10)};
  EXPECT_EQ(sh::detection_agreement({box(0, 0, 0, 10, 10), box(0, 1, 0, 10, 10)}, shadow2), 1.0);
}

class ShadowAgreementModels : public ::testing::Test {
 protected:
  std::shared_ptr<const ServedModel> load(const std::string& name, const std::string& path, const std::string& spec) {
    ModelSource s;
    s.name = name, s.path = path, s.spec_file = spec;
    auto m = load_model(s, LoadOptions{});
    EXPECT_TRUE(m.is_ok()) << m.status().to_string();
    return m.is_ok() ? *m : nullptr;
  }
  processing::ImageTransform identity8() {
    processing::ImageTransform t;
    t.original_width = t.input_width = t.original_height = t.input_height = 8;
    return t;
  }
  TempDir dir_;
};

TEST_F(ShadowAgreementModels, DetectorsAreComparedOnTheirDecodedBoxes) {
  auto det = load("boxes", write_box_model(dir_.file("boxes.onnx")), write_spec(dir_.file("det.json"), true));
  ASSERT_TRUE(det);
  std::vector<float> anchors;
  for (const auto& b : kBoxes) anchors.insert(anchors.end(), b, b + 4);
  Tensor boxes = Tensor::from_vector<float>({1, 3, 4}, anchors);
  // Threshold 0.5: production keeps boxes 0 and 2, the shadow boxes 0 and 1. Box 0 is the
  // same; box 2 (0,0,8,8) against box 1 (2,2,2,2) has IoU 4/64. 1 / max(2, 2).
  std::vector<Tensor> production{boxes, Tensor::from_vector<float>({1, 3}, {0.9f, 0.2f, 0.8f})};
  std::vector<Tensor> shadow{boxes, Tensor::from_vector<float>({1, 3}, {0.9f, 0.7f, 0.1f})};
  auto r = sh::outputs_agreement(*det, production, *det, shadow, identity8());
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(*r, 0.5);
  auto same = sh::outputs_agreement(*det, production, *det, production, identity8());
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(*same, 1.0);
  // Nothing above the threshold in either: agreement.
  std::vector<Tensor> none{boxes, Tensor::from_vector<float>({1, 3}, {0.1f, 0.1f, 0.1f})};
  auto empty = sh::outputs_agreement(*det, none, *det, none, identity8());
  ASSERT_TRUE(empty.is_ok());
  EXPECT_EQ(*empty, 1.0);
}

TEST_F(ShadowAgreementModels, ClassifiersAreComparedOnTopOneAndRawModelsOnTheFirstOutput) {
  auto cls = load("colors", write_channel_mean_model(dir_.file("mean.onnx")), write_spec(dir_.file("cls.json"), false));
  ASSERT_TRUE(cls);
  std::vector<Tensor> a{Tensor::from_vector<float>({1, 3}, {0.1f, 0.5f, 0.2f})};
  std::vector<Tensor> b{Tensor::from_vector<float>({1, 3}, {0.1f, 0.2f, 0.5f})};
  std::vector<Tensor> c{Tensor::from_vector<float>({1, 3}, {0.0f, 0.9f, 0.0f})};
  EXPECT_EQ(*sh::outputs_agreement(*cls, a, *cls, b, identity8()), 0.0);
  EXPECT_EQ(*sh::outputs_agreement(*cls, a, *cls, c, identity8()), 1.0);

  // No spec: top-1 over the first output ("y"), per row; the second output is not looked at.
  auto raw = load("affine", write_affine_model(dir_.file("affine.onnx"), 1), "");
  ASSERT_TRUE(raw);
  std::vector<Tensor> p{Tensor::from_vector<float>({2, 4}, {1, 2, 3, 4, 1, 1, 1, 1}), Tensor::from_vector<float>({1}, {0})};
  std::vector<Tensor> s{Tensor::from_vector<float>({2, 4}, {4, 3, 2, 1, 1, 1, 1, 1}), Tensor::from_vector<float>({1}, {7})};
  EXPECT_EQ(*sh::outputs_agreement(*raw, p, *raw, s, {}), 0.5);
  // A detector production with a shadow that has no detection spec is an error, not a verdict.
  auto det = load("boxes", write_box_model(dir_.file("boxes.onnx")), write_spec(dir_.file("det.json"), true));
  ASSERT_TRUE(det);
  EXPECT_FALSE(sh::outputs_agreement(*det, p, *raw, s, {}).is_ok());
}

}  // namespace
}  // namespace fogline::node::testing
