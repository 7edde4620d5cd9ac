// COCO evaluation against cases computed by hand (the arithmetic is in the comments), one
// behaviour of pycocotools' COCOeval per test.
#include "eval/coco_eval.h"

#include <gtest/gtest.h>

namespace fogline::eval {
namespace {

GroundTruthBox gt(int64_t image, int64_t cat, double x, double y, double w, double h, bool crowd = false,
                  double area = -1) {
  return {image, cat, {x, y, w, h}, area < 0 ? w * h : area, crowd};
}
DetectionBox det(int64_t image, int64_t cat, double x, double y, double w, double h, double score) {
  return {image, cat, {x, y, w, h}, score};
}

CocoEvaluation run(std::vector<int64_t> images, std::vector<int64_t> cats, const std::vector<GroundTruthBox>& g,
                   const std::vector<DetectionBox>& d) {
  auto r = evaluate_coco(std::move(images), std::move(cats), g, d);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return std::move(r).value();
}

TEST(BoxIou, RegularAndCrowd) {
  BoxXywh a{0, 0, 10, 10}, b{5, 0, 10, 10};
  EXPECT_DOUBLE_EQ(box_iou(a, b, false), 50.0 / 150.0);
  // Crowd: intersection over the detection's own area.
  EXPECT_DOUBLE_EQ(box_iou(a, b, true), 50.0 / 100.0);
  EXPECT_DOUBLE_EQ(box_iou(a, {20, 20, 5, 5}, false), 0.0);
  EXPECT_DOUBLE_EQ(box_iou(a, {10, 0, 5, 5}, false), 0.0);  // touching edges do not overlap
}

TEST(CocoParams, ThresholdsAreNumpyLinspace) {
  auto p = CocoParams::standard();
  ASSERT_EQ(p.iou_thresholds.size(), 10u);
  ASSERT_EQ(p.recall_thresholds.size(), 101u);
  EXPECT_EQ(p.iou_thresholds.front(), 0.5);
  EXPECT_EQ(p.iou_thresholds.back(), 0.95);
  EXPECT_EQ(p.recall_thresholds[50], 50 * 0.01);
  EXPECT_EQ(p.area_ranges[1].max, 1024.0);
  EXPECT_EQ(p.area_ranges[2].max, 9216.0);
}

TEST(CocoEval, PerfectDetectionIsOneAndEmptyRangesAreMinusOne) {
  auto ev = run({1}, {1}, {gt(1, 1, 0, 0, 10, 10)}, {det(1, 1, 0, 0, 10, 10, 0.9)});
  EXPECT_DOUBLE_EQ(ev.stats[kAP], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAP50], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAPSmall], 1.0);  // area 100 < 32^2
  EXPECT_DOUBLE_EQ(ev.stats[kAPMedium], -1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAPLarge], -1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAR1], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kARMedium], -1.0);
}

TEST(CocoEval, PartialOverlapCountsOnlyTheThresholdsItPasses) {
  // IoU 6800/10000 = 0.68 passes .50 .55 .60 .65 (4 of 10 thresholds).
  auto ev = run({1}, {1}, {gt(1, 1, 0, 0, 100, 100)}, {det(1, 1, 0, 0, 100, 68, 0.9)});
  EXPECT_NEAR(ev.stats[kAP], 0.4, 1e-12);
  EXPECT_DOUBLE_EQ(ev.stats[kAP50], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAP75], 0.0);
  EXPECT_NEAR(ev.stats[kAPLarge], 0.4, 1e-12);  // gt area 10000 > 96^2; the matched det counts there
  EXPECT_NEAR(ev.stats[kAR100], 0.4, 1e-12);
}

TEST(CocoEval, ScoreTiesAcrossImagesKeepImageOrder) {
  // Two images with one gt each and one det each, both scored 0.8. Image 1's det misses,
  // image 2's hits. Sorted (stable) the FP comes first: rc [0, .5], pr [0, .5] -> envelope
  // [.5, .5]; recall points 0..0.50 (51 of 101) get .5: AP = 25.5 / 101.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 10, 10), gt(2, 1, 0, 0, 10, 10)};
  std::vector<DetectionBox> d{det(1, 1, 50, 50, 10, 10, 0.8), det(2, 1, 0, 0, 10, 10, 0.8)};
  auto ev = run({1, 2}, {1}, g, d);
  EXPECT_NEAR(ev.stats[kAP], 25.5 / 101, 1e-12);
  // Swap which image misses: the TP comes first, pr [1, .5] -> AP = 51 / 101.
  std::vector<DetectionBox> d2{det(1, 1, 0, 0, 10, 10, 0.8), det(2, 1, 50, 50, 10, 10, 0.8)};
  auto ev2 = run({1, 2}, {1}, g, d2);
  EXPECT_NEAR(ev2.stats[kAP], 51.0 / 101, 1e-12);
  EXPECT_DOUBLE_EQ(ev2.stats[kAR100], 0.5);
}

TEST(CocoEval, ScoreTiesInsideAnImageKeepInputOrder) {
  // Same score; the miss is listed first: rc [0, 1], pr [0, .5] -> envelope .5 everywhere.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 10, 10)};
  auto miss_first = run({1}, {1}, g, {det(1, 1, 50, 50, 10, 10, 0.5), det(1, 1, 0, 0, 10, 10, 0.5)});
  EXPECT_NEAR(miss_first.stats[kAP], 0.5, 1e-12);
  auto hit_first = run({1}, {1}, g, {det(1, 1, 0, 0, 10, 10, 0.5), det(1, 1, 50, 50, 10, 10, 0.5)});
  EXPECT_NEAR(hit_first.stats[kAP], 1.0, 1e-12);
  // maxDets=1 sees only the first of the tied pair.
  EXPECT_DOUBLE_EQ(miss_first.stats[kAR1], 0.0);
  EXPECT_DOUBLE_EQ(hit_first.stats[kAR1], 1.0);
}

TEST(CocoEval, CrowdRegionsAbsorbDetectionsAndDoNotCountAsGroundTruth) {
  // A regular gt R and a crowd region C (50x50). Two detections inside C score higher than the
  // hit on R. Inside C their IoU is intersection / own area = 1, so both match C (a crowd
  // region may be matched many times) and are ignored: AP = 1. Treated as an ordinary box
  // (IoU 400/2500) they would be two false positives ahead of the hit: AP 1/3.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 10, 10), gt(1, 1, 100, 100, 50, 50, true)};
  std::vector<DetectionBox> d{det(1, 1, 110, 110, 20, 20, 0.95), det(1, 1, 120, 120, 10, 10, 0.9),
                              det(1, 1, 0, 0, 10, 10, 0.8)};
  auto ev = run({1}, {1}, g, d);
  EXPECT_DOUBLE_EQ(ev.stats[kAP], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAR100], 1.0);  // the crowd region is not a gt to recall
  // AR@1: the only detection kept is the first one, on the crowd region: recall 0.
  EXPECT_DOUBLE_EQ(ev.stats[kAR1], 0.0);
  // The crowd region (area 2500, medium) alone gives "medium" no gt: -1.
  EXPECT_DOUBLE_EQ(ev.stats[kAPMedium], -1.0);
}

TEST(CocoEval, RegularGroundTruthWinsOverCrowd) {
  // The detection overlaps the regular gt (IoU 1) and lies inside a crowd region: it is a TP.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 100, 100, true), gt(1, 1, 10, 10, 10, 10)};
  auto ev = run({1}, {1}, g, {det(1, 1, 10, 10, 10, 10, 0.9), det(1, 1, 12, 12, 10, 10, 0.8)});
  // The second det: the regular gt is taken, the crowd region absorbs it: AP stays 1.
  EXPECT_DOUBLE_EQ(ev.stats[kAP], 1.0);
}

TEST(CocoEval, CategoriesWithoutGroundTruthAreLeftOutOfTheMean) {
  // Categories 1, 2, 3. Cat 1: hit (AP 1). Cat 2: a miss (AP 0). Cat 3: detections but no gt:
  // -1, not averaged. A detection of category 99 (not in the gt) is dropped and counted.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 10, 10), gt(1, 2, 0, 0, 10, 10)};
  std::vector<DetectionBox> d{det(1, 1, 0, 0, 10, 10, 0.9), det(1, 2, 50, 50, 10, 10, 0.9),
                              det(1, 3, 0, 0, 10, 10, 0.9), det(1, 99, 0, 0, 10, 10, 0.9)};
  auto ev = run({1}, {1, 2, 3}, g, d);
  EXPECT_DOUBLE_EQ(ev.stats[kAP], 0.5);
  EXPECT_DOUBLE_EQ(ev.category_ap(0), 1.0);
  EXPECT_DOUBLE_EQ(ev.category_ap(1), 0.0);
  EXPECT_DOUBLE_EQ(ev.category_ap(2), -1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAR100], 0.5);
  EXPECT_EQ(ev.detections_with_unknown_category, 1);
}

TEST(CocoEval, EmptyImagesAddFalsePositivesOnlyWhenTheyHaveDetections) {
  // Image 2 has no gt but a det scored above the hit on image 1: FP first, AP = .5.
  // Image 3 has nothing at all and changes nothing.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 10, 10)};
  std::vector<DetectionBox> d{det(1, 1, 0, 0, 10, 10, 0.9), det(2, 1, 0, 0, 10, 10, 0.95)};
  auto ev = run({1, 2, 3}, {1}, g, d);
  EXPECT_NEAR(ev.stats[kAP], 0.5, 1e-12);
  auto without_empty = run({1, 2}, {1}, g, d);
  EXPECT_EQ(ev.stats, without_empty.stats);
  // No detections at all: AP and AR 0 where there is gt.
  auto none = run({1, 2, 3}, {1}, g, {});
  EXPECT_DOUBLE_EQ(none.stats[kAP], 0.0);
  EXPECT_DOUBLE_EQ(none.stats[kAR100], 0.0);
  // No gt at all: everything -1.
  auto nothing = run({1}, {1}, {}, {det(1, 1, 0, 0, 10, 10, 0.9)});
  for (double s : nothing.stats) EXPECT_DOUBLE_EQ(s, -1.0);
}

TEST(CocoEval, AreaRangesUseTheAnnotationAreaAndIgnoreOutOfRangeFalsePositives) {
  // Three gts whose "area" field (not the box) is small (500), medium (5000), large (20000).
  // Hits on the small and large ones; the medium one is missed; one FP of box area 4900
  // (medium) scored highest.
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 30, 30, false, 500), gt(1, 1, 100, 100, 80, 80, false, 5000),
                                gt(1, 1, 300, 300, 150, 150, false, 20000)};
  std::vector<DetectionBox> d{det(1, 1, 0, 0, 30, 30, 0.9), det(1, 1, 300, 300, 150, 150, 0.8),
                              det(1, 1, 600, 600, 70, 70, 0.95)};
  auto ev = run({1}, {1}, g, d);
  // small: the large hit and the FP are outside the range and unmatched -> ignored: AP 1.
  EXPECT_DOUBLE_EQ(ev.stats[kAPSmall], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kARSmall], 1.0);
  // medium: only the FP counts and the gt is missed: AP 0, AR 0.
  EXPECT_DOUBLE_EQ(ev.stats[kAPMedium], 0.0);
  EXPECT_DOUBLE_EQ(ev.stats[kARMedium], 0.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAPLarge], 1.0);
  // all: order FP, TP, TP over 3 gts: rc [0, 1/3, 2/3], pr [0, .5, 2/3] -> envelope 2/3 up to
  // recall 2/3: points 0..0.66 (67 of 101): AP = 67 * (2/3) / 101.
  EXPECT_NEAR(ev.stats[kAP], 67.0 * (2.0 / 3.0) / 101.0, 1e-12);
  EXPECT_NEAR(ev.stats[kAR100], 2.0 / 3.0, 1e-12);
}

TEST(CocoEval, AreaLimitsAreInclusiveAtBothEnds) {
  // area exactly 32^2 belongs to "small" and "medium".
  auto ev = run({1}, {1}, {gt(1, 1, 0, 0, 32, 32)}, {det(1, 1, 0, 0, 32, 32, 0.9)});
  EXPECT_DOUBLE_EQ(ev.stats[kAPSmall], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAPMedium], 1.0);
  EXPECT_DOUBLE_EQ(ev.stats[kAPLarge], -1.0);
}

TEST(CocoEval, MaxDetsTruncatesPerImage) {
  // One gt; the hit is scored below N misses.
  auto with_misses = [](int misses) {
    std::vector<DetectionBox> d;
    for (int i = 0; i < misses; ++i) d.push_back(det(1, 1, 1000.0 + 20 * i, 0, 10, 10, 0.9 - i * 1e-4));
    d.push_back(det(1, 1, 0, 0, 10, 10, 0.1));
    return d;
  };
  std::vector<GroundTruthBox> g{gt(1, 1, 0, 0, 10, 10)};
  // 100 misses: the hit is the 101st detection and is cut: AP 0, AR@100 0.
  auto cut = run({1}, {1}, g, with_misses(100));
  EXPECT_DOUBLE_EQ(cut.stats[kAP], 0.0);
  EXPECT_DOUBLE_EQ(cut.stats[kAR100], 0.0);
  // 99 misses: the hit is the 100th: precision 1/100 at recall 1 everywhere: AP 0.01.
  auto kept = run({1}, {1}, g, with_misses(99));
  EXPECT_NEAR(kept.stats[kAP], 0.01, 1e-12);
  EXPECT_DOUBLE_EQ(kept.stats[kAR100], 1.0);
  EXPECT_DOUBLE_EQ(kept.stats[kAR10], 0.0);
  EXPECT_DOUBLE_EQ(kept.stats[kAR1], 0.0);
  // 9 misses: AR@10 sees the hit, AR@1 does not.
  auto ten = run({1}, {1}, g, with_misses(9));
  EXPECT_DOUBLE_EQ(ten.stats[kAR10], 1.0);
  EXPECT_DOUBLE_EQ(ten.stats[kAR1], 0.0);
}

TEST(CocoEval, EachGroundTruthIsMatchedOnceByTheHighestScore) {
  // Two detections on one gt: the higher score takes it, the other is a FP after the TP:
  // rc [1, 1], pr [1, .5] -> envelope 1 at every recall point: AP 1.
  auto ev = run({1}, {1}, {gt(1, 1, 0, 0, 10, 10)}, {det(1, 1, 0, 0, 10, 10, 0.6), det(1, 1, 0, 0, 10, 10, 0.7)});
  EXPECT_DOUBLE_EQ(ev.stats[kAP], 1.0);
  // Two gts: A [2,0,10,10] and B [0,0,10,10]. The first det (exactly B) overlaps A with IoU
  // 80/120 and B with IoU 1 and must take B; the second (exactly A) then takes A: AP 1. Had
  // the first det taken A, the second would only reach B at IoU .667 and fail from .70 up.
  auto ev2 = run({1}, {1}, {gt(1, 1, 2, 0, 10, 10), gt(1, 1, 0, 0, 10, 10)},
                 {det(1, 1, 0, 0, 10, 10, 0.9), det(1, 1, 2, 0, 10, 10, 0.8)});
  EXPECT_DOUBLE_EQ(ev2.stats[kAP], 1.0);
  // One gt of two found at every threshold: rc [.5], pr [1] -> 51 of 101 recall points: 51/101.
  auto half = run({1}, {1}, {gt(1, 1, 2, 0, 10, 10), gt(1, 1, 0, 0, 10, 10)}, {det(1, 1, 0, 0, 10, 10, 0.9)});
  EXPECT_NEAR(half.stats[kAP], 51.0 / 101, 1e-12);
  EXPECT_DOUBLE_EQ(half.stats[kAR100], 0.5);
}

TEST(CocoEval, DetectionOnUnknownImageIsAnError) {
  auto r = evaluate_coco({1}, {1}, {gt(1, 1, 0, 0, 10, 10)}, {det(7, 1, 0, 0, 10, 10, 0.9)});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("image 7"), std::string::npos);
}

TEST(CocoEval, SummaryHasPycocotoolsFormat) {
  auto ev = run({1}, {1}, {gt(1, 1, 0, 0, 10, 10)}, {det(1, 1, 0, 0, 10, 10, 0.9)});
  std::string s = format_coco_summary(ev);
  EXPECT_NE(s.find(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find(" Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 1.000\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("maxDets=  1 ]"), std::string::npos);
}

}  // namespace
}  // namespace fogline::eval
