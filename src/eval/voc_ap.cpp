#include "eval/voc_ap.h"

#include <algorithm>
#include <cfloat>
#include <map>
#include <set>

namespace fogline::eval {

double voc_ap(const std::vector<double>& recall, const std::vector<double>& precision, VocInterpolation mode) {
  const size_t n = std::min(recall.size(), precision.size());
  if (mode == VocInterpolation::kElevenPoints) {
    double ap = 0;
    for (int i = 0; i <= 10; ++i) {
      double t = i / 10.0, best = 0;
      for (size_t j = 0; j < n; ++j) {
        if (recall[j] >= t) best = std::max(best, precision[j]);
      }
      ap += best / 11.0;
    }
    return ap;
  }
  // Sentinels at recall 0 and 1, then the envelope (best precision at this recall or beyond),
  // then the area of the steps where recall changes.
  std::vector<double> mrec{0.0}, mpre{0.0};
  mrec.insert(mrec.end(), recall.begin(), recall.begin() + static_cast<long>(n));
  mpre.insert(mpre.end(), precision.begin(), precision.begin() + static_cast<long>(n));
  mrec.push_back(1.0);
  mpre.push_back(0.0);
  for (size_t i = mpre.size() - 1; i-- > 0;) mpre[i] = std::max(mpre[i], mpre[i + 1]);
  double ap = 0;
  for (size_t i = 0; i + 1 < mrec.size(); ++i) {
    if (mrec[i + 1] != mrec[i]) ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
  }
  return ap;
}

VocEvaluation evaluate_voc(const std::vector<GroundTruthBox>& ground_truth, const std::vector<DetectionBox>& detections,
                           double iou_threshold) {
  VocEvaluation ev;
  ev.iou_threshold = iou_threshold;
  std::set<int64_t> categories;
  for (const auto& g : ground_truth) categories.insert(g.category_id);
  for (const auto& d : detections) categories.insert(d.category_id);

  double sum_all = 0, sum_11 = 0;
  int classes_with_gt = 0;
  for (int64_t c : categories) {
    VocClassResult res;
    res.category_id = c;
    std::map<int64_t, std::vector<const GroundTruthBox*>> gts_by_image;
    for (const auto& g : ground_truth) {
      if (g.category_id != c) continue;
      gts_by_image[g.image_id].push_back(&g);
      res.ground_truth += g.iscrowd ? 0 : 1;
    }
    std::vector<const DetectionBox*> dts;
    for (const auto& d : detections) {
      if (d.category_id == c) dts.push_back(&d);
    }
    res.detections = static_cast<int64_t>(dts.size());
    std::stable_sort(dts.begin(), dts.end(), [](const DetectionBox* a, const DetectionBox* b) { return a->score > b->score; });
    std::map<const GroundTruthBox*, bool> taken;
    std::vector<double> rec, prec;
    double tp = 0, fp = 0;
    for (const DetectionBox* d : dts) {
      double best = -1;
      const GroundTruthBox* match = nullptr;
      auto it = gts_by_image.find(d->image_id);
      if (it != gts_by_image.end()) {
        for (const GroundTruthBox* g : it->second) {
          double iou = box_iou(d->box, g->box, false);
          if (iou > best) best = iou, match = g;
        }
      }
      if (match && best >= iou_threshold) {
        if (match->iscrowd) continue;  // difficult: neither a hit nor a miss
        if (!taken[match]) {
          taken[match] = true;
          tp += 1;
        } else {
          fp += 1;
        }
      } else {
        fp += 1;
      }
      rec.push_back(res.ground_truth ? tp / static_cast<double>(res.ground_truth) : 0.0);
      prec.push_back(tp / std::max(tp + fp, DBL_EPSILON));
    }
    if (res.ground_truth > 0) {
      res.ap_all_points = voc_ap(rec, prec, VocInterpolation::kAllPoints);
      res.ap_11_points = voc_ap(rec, prec, VocInterpolation::kElevenPoints);
      sum_all += res.ap_all_points;
      sum_11 += res.ap_11_points;
      ++classes_with_gt;
    }
    ev.classes.push_back(res);
  }
  if (classes_with_gt) {
    ev.map_all_points = sum_all / classes_with_gt;
    ev.map_11_points = sum_11 / classes_with_gt;
  }
  return ev;
}

}  // namespace fogline::eval
