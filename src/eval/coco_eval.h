// COCO detection evaluation, the algorithm of pycocotools' COCOeval (iouType "bbox") redone in
// C++ so that numbers printed by Fogline can be compared with numbers printed anywhere else:
//  - per image and category, detections sorted by score (stable: ties keep input order) and cut
//    to the largest maxDets; greedy matching at each IoU threshold (.50:.05:.95), regular ground
//    truth first, crowd ground truth as ignore regions (IoU = intersection / detection area, and
//    a crowd region may absorb any number of detections);
//  - ground truth outside an area range is ignored in that range, and so are unmatched
//    detections outside it;
//  - precision interpolated at 101 recall points (0:.01:1), recall at the last detection;
//  - every cell without ground truth is -1 and left out of every mean.
// One deliberate difference: pycocotools marks a match with the ground truth's id, so a ground
// truth whose id is 0 can never be matched; here matches are flags and ids play no part.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::eval {

// x, y of the top-left corner, width, height (COCO's bbox convention), in pixels.
struct BoxXywh {
  double x = 0, y = 0, w = 0, h = 0;
};

struct GroundTruthBox {
  int64_t image_id = 0;
  int64_t category_id = 0;
  BoxXywh box;
  double area = 0;  // COCO's "area" (segment area); w*h when the file has none
  bool iscrowd = false;
};

struct DetectionBox {
  int64_t image_id = 0;
  int64_t category_id = 0;
  BoxXywh box;
  double score = 0;
};

struct AreaRange {
  std::string label;
  double min = 0, max = 0;  // inclusive at both ends, as in pycocotools
};

struct CocoParams {
  std::vector<double> iou_thresholds;     // T
  std::vector<double> recall_thresholds;  // R
  std::vector<AreaRange> area_ranges;     // A; the first one must be "all"
  std::vector<int> max_detections;        // M, ascending; the last one is used for matching
  // pycocotools' defaults: IoU .50:.05:.95, recall 0:.01:1, all/small/medium/large with limits
  // 0, 32^2, 96^2, 1e5^2, maxDets 1/10/100.
  static CocoParams standard();
};

// IoU of a detection with a ground-truth box; for a crowd box the denominator is the
// detection's area only (how much of the detection lies inside the crowd region).
double box_iou(const BoxXywh& detection, const BoxXywh& ground_truth, bool ground_truth_is_crowd);

// The 12 numbers of pycocotools' summarize(), in its order.
enum CocoStat {
  kAP = 0, kAP50, kAP75, kAPSmall, kAPMedium, kAPLarge,
  kAR1, kAR10, kAR100, kARSmall, kARMedium, kARLarge,
};
constexpr int kCocoStatCount = 12;
// Short names for JSON output: "AP", "AP50", ..., "AR_large".
const char* coco_stat_key(int stat);

class CocoEvaluation {
 public:
  CocoParams params;
  std::vector<int64_t> image_ids;     // sorted, unique
  std::vector<int64_t> category_ids;  // sorted, unique (K)
  // precision[t][r][k][a][m] and recall[t][k][a][m], flattened; -1 where there is no ground truth.
  std::vector<double> precision;
  std::vector<double> recall;
  std::array<double, kCocoStatCount> stats{};
  // Detections whose category is not among category_ids (pycocotools drops them silently).
  int64_t detections_with_unknown_category = 0;

  double precision_at(size_t t, size_t r, size_t k, size_t a, size_t m) const;
  double recall_at(size_t t, size_t k, size_t a, size_t m) const;
  // Mean of the defined (> -1) precision cells over every IoU threshold (or only `iou_index`
  // when >= 0) and every recall point, for one category (or all when `k` < 0); -1 when none.
  double mean_precision(int iou_index, int k, size_t a, size_t m) const;
  double mean_recall(int iou_index, int k, size_t a, size_t m) const;
  // AP@[.50:.95] and AP@.50 of one category (area "all", largest maxDets); -1 without ground truth.
  double category_ap(size_t k) const { return mean_precision(-1, static_cast<int>(k), 0, params.max_detections.size() - 1); }
  double category_ap50(size_t k) const;
  // The interpolated precision curve over the recall points at one IoU threshold, averaged over
  // the categories that have ground truth (for PR plots); empty when none has.
  std::vector<double> mean_precision_curve(size_t t, int k = -1) const;
  int iou_index(double threshold) const;  // index of a threshold in params, or -1
};

// Runs evaluate + accumulate + summarize. `image_ids` and `category_ids` play the roles of
// params.imgIds / params.catIds (all images and categories of the ground-truth file). A
// detection on an image outside `image_ids` is an error (pycocotools' loadRes refuses it too).
Result<CocoEvaluation> evaluate_coco(std::vector<int64_t> image_ids, std::vector<int64_t> category_ids,
                                     const std::vector<GroundTruthBox>& ground_truth,
                                     const std::vector<DetectionBox>& detections,
                                     const CocoParams& params = CocoParams::standard());

// The 12 lines exactly as pycocotools' summarize() prints them.
std::string format_coco_summary(const CocoEvaluation& evaluation);

}  // namespace fogline::eval
