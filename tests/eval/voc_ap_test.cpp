// PASCAL VOC AP against hand-computed values.
#include "eval/voc_ap.h"

#include <gtest/gtest.h>

namespace fogline::eval {
namespace {

TEST(VocAp, AllPointsIsTheAreaUnderTheEnvelope) {
  // rec [.5 .5 1], prec [1 .5 2/3]: envelope 1 up to recall .5, then 2/3: .5*1 + .5*(2/3).
  std::vector<double> rec{0.5, 0.5, 1.0}, prec{1.0, 0.5, 2.0 / 3.0};
  EXPECT_NEAR(voc_ap(rec, prec, VocInterpolation::kAllPoints), 0.5 + 1.0 / 3.0, 1e-12);
  // 11 points: t = 0..0.5 (6 points) see 1, t = .6..1 (5 points) see 2/3.
  EXPECT_NEAR(voc_ap(rec, prec, VocInterpolation::kElevenPoints), (6.0 + 5.0 * 2.0 / 3.0) / 11.0, 1e-12);
}

TEST(VocAp, RecallThatNeverReachesOneLeavesTheRestAtZero) {
  std::vector<double> rec{0.25, 0.5}, prec{1.0, 1.0};
  EXPECT_NEAR(voc_ap(rec, prec, VocInterpolation::kAllPoints), 0.5, 1e-12);
  // t = 0, .1, ... .5 -> 6 of 11 points at 1.
  EXPECT_NEAR(voc_ap(rec, prec, VocInterpolation::kElevenPoints), 6.0 / 11.0, 1e-12);
  EXPECT_DOUBLE_EQ(voc_ap({}, {}, VocInterpolation::kAllPoints), 0.0);
}

GroundTruthBox gt(int64_t image, int64_t cat, double x, double y, double w, double h, bool crowd = false) {
  return {image, cat, {x, y, w, h}, w * h, crowd};
}
DetectionBox det(int64_t image, int64_t cat, double x, double y, double w, double h, double score) {
  return {image, cat, {x, y, w, h}, score};
}

TEST(VocEval, TiesDuplicatesDifficultAndUnmatchedClasses) {
  // Class 1: two gts on two images. Dets by score: hit image 1 (.9), duplicate on image 1 (.8,
  // FP), miss (.7, FP), hit image 2 (.6). rec [.5 .5 .5 1], prec [1 .5 1/3 .5].
  // All-point: .5*1 + .5*.5 = .75. 11-point: 6 points at 1, 5 at .5 -> 8.5/11.
  // A det inside a crowd ("difficult") box is skipped entirely.
  // Class 2: detections, no gt -> not averaged. Class 3: a gt, no detection -> AP 0.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 10, 10), gt(2, 1, 0, 0, 10, 10), gt(2, 1, 100, 100, 50, 50, true),
                                gt(3, 3, 0, 0, 10, 10)};
  std::vector<DetectionBox> d{det(1, 1, 0, 0, 10, 10, 0.9), det(1, 1, 1, 0, 10, 10, 0.8), det(1, 1, 50, 50, 10, 10, 0.7),
                              det(2, 1, 0, 0, 10, 10, 0.6), det(2, 1, 100, 100, 50, 50, 0.95),
                              det(1, 2, 0, 0, 10, 10, 0.9)};
  auto ev = evaluate_voc(g, d);
  ASSERT_EQ(ev.classes.size(), 3u);
  EXPECT_NEAR(ev.classes[0].ap_all_points, 0.75, 1e-12);
  EXPECT_NEAR(ev.classes[0].ap_11_points, 8.5 / 11.0, 1e-12);
  EXPECT_EQ(ev.classes[0].ground_truth, 2);
  EXPECT_DOUBLE_EQ(ev.classes[1].ap_all_points, -1.0);
  EXPECT_DOUBLE_EQ(ev.classes[2].ap_all_points, 0.0);
  EXPECT_NEAR(ev.map_all_points, (0.75 + 0.0) / 2.0, 1e-12);
  EXPECT_NEAR(ev.map_11_points, (8.5 / 11.0) / 2.0, 1e-12);
}

TEST(VocEval, ThresholdIsInclusive) {
  // IoU exactly .5: [0,0,10,10] vs [0,0,10,5] = 50/100.
  auto ev = evaluate_voc({gt(1, 1, 0, 0, 10, 10)}, {det(1, 1, 0, 0, 10, 5, 0.9)});
  EXPECT_DOUBLE_EQ(ev.map_all_points, 1.0);
  auto strict = evaluate_voc({gt(1, 1, 0, 0, 10, 10)}, {det(1, 1, 0, 0, 10, 5, 0.9)}, 0.55);
  EXPECT_DOUBLE_EQ(strict.map_all_points, 0.0);
}

}  // namespace
}  // namespace fogline::eval
