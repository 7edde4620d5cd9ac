#include "eval/coco_eval.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <unordered_map>

namespace fogline::eval {

namespace {

// numpy.linspace(start, stop, num): start + i * ((stop - start) / (num - 1)), last = stop
// exactly. The thresholds are compared with IoUs and recalls, so they must be the same doubles
// pycocotools uses, not "nicer" ones.
std::vector<double> linspace(double start, double stop, int num) {
  std::vector<double> v(static_cast<size_t>(num));
  double step = (stop - start) / (num - 1);
  for (int i = 0; i < num; ++i) v[static_cast<size_t>(i)] = i * step + start;
  v.back() = stop;
  return v;
}

// numpy.spacing(1): keeps precision = tp / (tp + fp + eps) identical to pycocotools'.
constexpr double kEps = DBL_EPSILON;

// One (category, area range, image) cell of pycocotools' evalImgs.
struct ImageEval {
  std::vector<double> scores;      // D, highest first
  std::vector<uint8_t> matched;    // [T][D]
  std::vector<uint8_t> ignored;    // [T][D]
  int64_t regular_ground_truth = 0;  // ground truth not ignored in this area range
};

template <typename T>
std::vector<T> sorted_unique(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

bool outside(double area, const AreaRange& range) { return area < range.min || area > range.max; }

ImageEval evaluate_image(const std::vector<const GroundTruthBox*>& gts, const std::vector<const DetectionBox*>& dts,
                         const std::vector<std::vector<double>>& ious,  // [D][G] in the order of `gts`
                         const AreaRange& range, const std::vector<double>& iou_thresholds) {
  const size_t G = gts.size(), D = dts.size(), T = iou_thresholds.size();
  std::vector<uint8_t> gt_ignore(G);
  for (size_t g = 0; g < G; ++g) gt_ignore[g] = gts[g]->iscrowd || outside(gts[g]->area, range);
  // Regular ground truth first, ignored last (stable, as numpy's mergesort).
  std::vector<size_t> gt_order(G);
  std::iota(gt_order.begin(), gt_order.end(), 0);
  std::stable_sort(gt_order.begin(), gt_order.end(), [&](size_t a, size_t b) { return gt_ignore[a] < gt_ignore[b]; });

  ImageEval e;
  e.scores.resize(D);
  for (size_t d = 0; d < D; ++d) e.scores[d] = dts[d]->score;
  e.matched.assign(T * D, 0);
  e.ignored.assign(T * D, 0);
  for (size_t g = 0; g < G; ++g) e.regular_ground_truth += gt_ignore[g] ? 0 : 1;

  std::vector<uint8_t> gt_taken(G);
  for (size_t t = 0; t < T; ++t) {
    std::fill(gt_taken.begin(), gt_taken.end(), 0);
    for (size_t d = 0; d < D; ++d) {
      double best = std::min(iou_thresholds[t], 1 - 1e-10);
      int m = -1;  // position in gt_order of the best match so far
      for (size_t pos = 0; pos < G; ++pos) {
        size_t g = gt_order[pos];
        if (gt_taken[g] && !gts[g]->iscrowd) continue;
        // Already matched to regular ground truth and only ignored ones remain: stop.
        if (m > -1 && !gt_ignore[gt_order[static_cast<size_t>(m)]] && gt_ignore[g]) break;
        if (ious[d][g] < best) continue;
        best = ious[d][g];
        m = static_cast<int>(pos);
      }
      if (m == -1) continue;
      size_t g = gt_order[static_cast<size_t>(m)];
      e.ignored[t * D + d] = gt_ignore[g];
      e.matched[t * D + d] = 1;
      gt_taken[g] = 1;
    }
  }
  // Unmatched detections outside the area range are not false positives of this range.
  for (size_t d = 0; d < D; ++d) {
    double area = dts[d]->box.w * dts[d]->box.h;
    if (!outside(area, range)) continue;
    for (size_t t = 0; t < T; ++t) {
      if (!e.matched[t * D + d]) e.ignored[t * D + d] = 1;
    }
  }
  return e;
}

}  // namespace

CocoParams CocoParams::standard() {
  CocoParams p;
  p.iou_thresholds = linspace(0.5, 0.95, 10);
  p.recall_thresholds = linspace(0.0, 1.0, 101);
  p.area_ranges = {{"all", 0, 1e5 * 1e5}, {"small", 0, 32.0 * 32}, {"medium", 32.0 * 32, 96.0 * 96},
                   {"large", 96.0 * 96, 1e5 * 1e5}};
  p.max_detections = {1, 10, 100};
  return p;
}

double box_iou(const BoxXywh& d, const BoxXywh& g, bool crowd) {
  double iw = std::min(d.x + d.w, g.x + g.w) - std::max(d.x, g.x);
  if (iw <= 0) return 0;
  double ih = std::min(d.y + d.h, g.y + g.h) - std::max(d.y, g.y);
  if (ih <= 0) return 0;
  double inter = iw * ih;
  double unite = crowd ? d.w * d.h : d.w * d.h + g.w * g.h - inter;
  return inter / unite;
}

const char* coco_stat_key(int stat) {
  static const char* kKeys[kCocoStatCount] = {"AP",   "AP50",  "AP75",   "AP_small",  "AP_medium",  "AP_large",
                                              "AR1",  "AR10",  "AR100",  "AR_small",  "AR_medium",  "AR_large"};
  return stat >= 0 && stat < kCocoStatCount ? kKeys[stat] : "?";
}

double CocoEvaluation::precision_at(size_t t, size_t r, size_t k, size_t a, size_t m) const {
  const size_t R = params.recall_thresholds.size(), K = category_ids.size(), A = params.area_ranges.size(),
               M = params.max_detections.size();
  return precision[(((t * R + r) * K + k) * A + a) * M + m];
}

double CocoEvaluation::recall_at(size_t t, size_t k, size_t a, size_t m) const {
  const size_t K = category_ids.size(), A = params.area_ranges.size(), M = params.max_detections.size();
  return recall[((t * K + k) * A + a) * M + m];
}

double CocoEvaluation::mean_precision(int iou_index, int k, size_t a, size_t m) const {
  double sum = 0;
  int64_t n = 0;
  for (size_t t = 0; t < params.iou_thresholds.size(); ++t) {
    if (iou_index >= 0 && t != static_cast<size_t>(iou_index)) continue;
    for (size_t r = 0; r < params.recall_thresholds.size(); ++r) {
      for (size_t kk = 0; kk < category_ids.size(); ++kk) {
        if (k >= 0 && kk != static_cast<size_t>(k)) continue;
        double v = precision_at(t, r, kk, a, m);
        if (v > -1) sum += v, ++n;
      }
    }
  }
  return n ? sum / static_cast<double>(n) : -1;
}

double CocoEvaluation::mean_recall(int iou_index, int k, size_t a, size_t m) const {
  double sum = 0;
  int64_t n = 0;
  for (size_t t = 0; t < params.iou_thresholds.size(); ++t) {
    if (iou_index >= 0 && t != static_cast<size_t>(iou_index)) continue;
    for (size_t kk = 0; kk < category_ids.size(); ++kk) {
      if (k >= 0 && kk != static_cast<size_t>(k)) continue;
      double v = recall_at(t, kk, a, m);
      if (v > -1) sum += v, ++n;
    }
  }
  return n ? sum / static_cast<double>(n) : -1;
}

int CocoEvaluation::iou_index(double threshold) const {
  for (size_t t = 0; t < params.iou_thresholds.size(); ++t) {
    if (std::fabs(params.iou_thresholds[t] - threshold) < 1e-9) return static_cast<int>(t);
  }
  return -1;
}

double CocoEvaluation::category_ap50(size_t k) const {
  int t = iou_index(0.5);
  return t < 0 ? -1 : mean_precision(t, static_cast<int>(k), 0, params.max_detections.size() - 1);
}

std::vector<double> CocoEvaluation::mean_precision_curve(size_t t, int k) const {
  const size_t R = params.recall_thresholds.size(), m = params.max_detections.size() - 1;
  std::vector<double> curve(R, 0.0);
  int64_t n = 0;
  for (size_t kk = 0; kk < category_ids.size(); ++kk) {
    if (k >= 0 && kk != static_cast<size_t>(k)) continue;
    if (precision_at(t, 0, kk, 0, m) <= -1) continue;
    for (size_t r = 0; r < R; ++r) curve[r] += precision_at(t, r, kk, 0, m);
    ++n;
  }
  if (n == 0) return {};
  for (double& v : curve) v /= static_cast<double>(n);
  return curve;
}

Result<CocoEvaluation> evaluate_coco(std::vector<int64_t> image_ids, std::vector<int64_t> category_ids,
                                     const std::vector<GroundTruthBox>& ground_truth,
                                     const std::vector<DetectionBox>& detections, const CocoParams& params) {
  if (params.iou_thresholds.empty() || params.recall_thresholds.empty() || params.area_ranges.empty() ||
      params.max_detections.empty()) {
    return invalid_argument("COCO parameters: thresholds, area ranges and maxDets must not be empty");
  }
  if (!std::is_sorted(params.max_detections.begin(), params.max_detections.end())) {
    return invalid_argument("COCO parameters: maxDets must be ascending");
  }
  CocoEvaluation ev;
  ev.params = params;
  ev.image_ids = sorted_unique(std::move(image_ids));
  ev.category_ids = sorted_unique(std::move(category_ids));
  const size_t I = ev.image_ids.size(), K = ev.category_ids.size(), A = params.area_ranges.size(),
               M = params.max_detections.size(), T = params.iou_thresholds.size(),
               R = params.recall_thresholds.size();
  const size_t max_det = static_cast<size_t>(params.max_detections.back());

  std::unordered_map<int64_t, size_t> image_index, category_index;
  for (size_t i = 0; i < I; ++i) image_index[ev.image_ids[i]] = i;
  for (size_t k = 0; k < K; ++k) category_index[ev.category_ids[k]] = k;

  std::vector<std::vector<const GroundTruthBox*>> gt_cells(K * I);
  std::vector<std::vector<const DetectionBox*>> dt_cells(K * I);
  for (size_t n = 0; n < ground_truth.size(); ++n) {
    const auto& g = ground_truth[n];
    auto ii = image_index.find(g.image_id);
    if (ii == image_index.end()) {
      return invalid_argument("ground truth #" + std::to_string(n) + " refers to image " + std::to_string(g.image_id) +
                              ", which is not among the images");
    }
    auto kk = category_index.find(g.category_id);
    if (kk == category_index.end()) continue;  // a category left out of the evaluation
    gt_cells[kk->second * I + ii->second].push_back(&g);
  }
  for (size_t n = 0; n < detections.size(); ++n) {
    const auto& d = detections[n];
    auto ii = image_index.find(d.image_id);
    if (ii == image_index.end()) {
      return invalid_argument("detection #" + std::to_string(n) + " refers to image " + std::to_string(d.image_id) +
                              ", which is not in the ground truth");
    }
    auto kk = category_index.find(d.category_id);
    if (kk == category_index.end()) {
      ++ev.detections_with_unknown_category;
      continue;
    }
    dt_cells[kk->second * I + ii->second].push_back(&d);
  }

  // evaluate(): one cell per (category, area range, image); empty where neither side has boxes.
  std::vector<std::optional<ImageEval>> cells(K * A * I);
  for (size_t k = 0; k < K; ++k) {
    for (size_t i = 0; i < I; ++i) {
      const auto& gts = gt_cells[k * I + i];
      auto dts = dt_cells[k * I + i];
      if (gts.empty() && dts.empty()) continue;
      std::stable_sort(dts.begin(), dts.end(), [](const DetectionBox* a, const DetectionBox* b) { return a->score > b->score; });
      if (dts.size() > max_det) dts.resize(max_det);
      std::vector<std::vector<double>> ious(dts.size(), std::vector<double>(gts.size()));
      for (size_t d = 0; d < dts.size(); ++d) {
        for (size_t g = 0; g < gts.size(); ++g) ious[d][g] = box_iou(dts[d]->box, gts[g]->box, gts[g]->iscrowd);
      }
      for (size_t a = 0; a < A; ++a) {
        cells[(k * A + a) * I + i] = evaluate_image(gts, dts, ious, params.area_ranges[a], params.iou_thresholds);
      }
    }
  }

  // accumulate()
  ev.precision.assign(T * R * K * A * M, -1.0);
  ev.recall.assign(T * K * A * M, -1.0);
  struct Entry {
    double score;
    const ImageEval* cell;
    size_t d;
  };
  std::vector<Entry> entries;
  for (size_t k = 0; k < K; ++k) {
    for (size_t a = 0; a < A; ++a) {
      for (size_t m = 0; m < M; ++m) {
        const size_t limit = static_cast<size_t>(params.max_detections[m]);
        entries.clear();
        int64_t regular = 0;
        bool any = false;
        for (size_t i = 0; i < I; ++i) {
          const auto& cell = cells[(k * A + a) * I + i];
          if (!cell) continue;
          any = true;
          regular += cell->regular_ground_truth;
          size_t n = std::min(limit, cell->scores.size());
          for (size_t d = 0; d < n; ++d) entries.push_back({cell->scores[d], &*cell, d});
        }
        if (!any || regular == 0) continue;
        // Highest score first; ties keep image order, then in-image order (numpy mergesort).
        std::stable_sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) { return x.score > y.score; });
        const size_t nd = entries.size();
        std::vector<double> rc(nd), pr(nd);
        for (size_t t = 0; t < T; ++t) {
          double tp = 0, fp = 0;
          for (size_t j = 0; j < nd; ++j) {
            const auto& e = entries[j];
            size_t D = e.cell->scores.size();
            bool matched = e.cell->matched[t * D + e.d], ignored = e.cell->ignored[t * D + e.d];
            if (!ignored) (matched ? tp : fp) += 1;
            rc[j] = tp / static_cast<double>(regular);
            pr[j] = tp / (fp + tp + kEps);
          }
          ev.recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1] : 0.0;
          // Precision envelope: the best precision at this recall or any higher one.
          for (size_t j = nd; j-- > 1;) pr[j - 1] = std::max(pr[j - 1], pr[j]);
          for (size_t r = 0; r < R; ++r) {
            // numpy.searchsorted(rc, thr, side="left"): the first j with rc[j] >= thr.
            size_t j = static_cast<size_t>(std::lower_bound(rc.begin(), rc.end(), params.recall_thresholds[r]) - rc.begin());
            ev.precision[(((t * R + r) * K + k) * A + a) * M + m] = j < nd ? pr[j] : 0.0;
          }
        }
      }
    }
  }

  // summarize()
  auto area = [&](const char* label) -> int {
    for (size_t a = 0; a < A; ++a) {
      if (params.area_ranges[a].label == label) return static_cast<int>(a);
    }
    return -1;
  };
  auto ap = [&](int iou, const char* range, int m) -> double {
    int a = area(range);
    if (a < 0 || m < 0 || iou == -2) return -1;
    return ev.mean_precision(iou, -1, static_cast<size_t>(a), static_cast<size_t>(m));
  };
  auto ar = [&](const char* range, int m) -> double {
    int a = area(range);
    if (a < 0 || m < 0) return -1;
    return ev.mean_recall(-1, -1, static_cast<size_t>(a), static_cast<size_t>(m));
  };
  // Like pycocotools, the fixed rows use maxDets[0..2] by position (the defaults 1/10/100).
  const int m0 = 0, m1 = M > 1 ? 1 : -1, m2 = M > 2 ? 2 : -1;
  const int t50 = ev.iou_index(0.5) >= 0 ? ev.iou_index(0.5) : -2;
  const int t75 = ev.iou_index(0.75) >= 0 ? ev.iou_index(0.75) : -2;
  ev.stats[kAP] = ap(-1, "all", m2);
  ev.stats[kAP50] = ap(t50, "all", m2);
  ev.stats[kAP75] = ap(t75, "all", m2);
  ev.stats[kAPSmall] = ap(-1, "small", m2);
  ev.stats[kAPMedium] = ap(-1, "medium", m2);
  ev.stats[kAPLarge] = ap(-1, "large", m2);
  ev.stats[kAR1] = ar("all", m0);
  ev.stats[kAR10] = ar("all", m1);
  ev.stats[kAR100] = ar("all", m2);
  ev.stats[kARSmall] = ar("small", m2);
  ev.stats[kARMedium] = ar("medium", m2);
  ev.stats[kARLarge] = ar("large", m2);
  return ev;
}

std::string format_coco_summary(const CocoEvaluation& ev) {
  struct Row {
    bool ap;
    const char* iou;
    const char* area;
    int max_dets_index;
  };
  static const Row kRows[kCocoStatCount] = {
      {true, nullptr, "all", 2},  {true, "0.50", "all", 2},   {true, "0.75", "all", 2},
      {true, nullptr, "small", 2}, {true, nullptr, "medium", 2}, {true, nullptr, "large", 2},
      {false, nullptr, "all", 0}, {false, nullptr, "all", 1},  {false, nullptr, "all", 2},
      {false, nullptr, "small", 2}, {false, nullptr, "medium", 2}, {false, nullptr, "large", 2},
  };
  const auto& p = ev.params;
  char range[32];
  std::snprintf(range, sizeof(range), "%0.2f:%0.2f", p.iou_thresholds.front(), p.iou_thresholds.back());
  std::string out;
  for (int s = 0; s < kCocoStatCount; ++s) {
    const Row& row = kRows[s];
    size_t mi = static_cast<size_t>(row.max_dets_index);
    int max_dets = mi < p.max_detections.size() ? p.max_detections[mi] : -1;
    char line[160];
    // ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'
    std::snprintf(line, sizeof(line), " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f\n",
                  row.ap ? "Average Precision" : "Average Recall", row.ap ? "(AP)" : "(AR)",
                  row.iou ? row.iou : range, row.area, max_dets, ev.stats[static_cast<size_t>(s)]);
    out += line;
  }
  return out;
}

}  // namespace fogline::eval
