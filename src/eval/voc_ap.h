// PASCAL VOC average precision: the all-point area under the precision envelope (VOC2010 and
// later) and the 11-point interpolation (VOC2007), plus the VOC detection protocol that feeds
// them (one IoU threshold, each ground truth matched once, "difficult" boxes ignored — crowd
// boxes play that role here).
#pragma once

#include <cstdint>
#include <vector>

#include "eval/coco_eval.h"

namespace fogline::eval {

enum class VocInterpolation { kAllPoints, kElevenPoints };

// `recall` and `precision` per detection, highest score first (cumulative values).
double voc_ap(const std::vector<double>& recall, const std::vector<double>& precision, VocInterpolation mode);

struct VocClassResult {
  int64_t category_id = 0;
  int64_t ground_truth = 0;  // not difficult
  int64_t detections = 0;
  double ap_all_points = -1;  // -1 when the class has no ground truth
  double ap_11_points = -1;
};

struct VocEvaluation {
  double iou_threshold = 0.5;
  std::vector<VocClassResult> classes;  // every category that has ground truth or detections
  // Means over the classes that have ground truth; -1 when none has.
  double map_all_points = -1;
  double map_11_points = -1;
};

// A detection is a true positive when its best IoU with a ground truth of its class in its
// image is >= `iou_threshold` (the official devkit's test) and that ground truth is not taken
// yet; detections whose best match is a crowd box count neither way.
VocEvaluation evaluate_voc(const std::vector<GroundTruthBox>& ground_truth, const std::vector<DetectionBox>& detections,
                           double iou_threshold = 0.5);

}  // namespace fogline::eval
