#include "node/shadow/agreement.h"

#include <algorithm>
#include <tuple>

namespace fogline::node::shadow {

int argmax(const std::vector<double>& values) {
  int best = -1;
  for (size_t i = 0; i < values.size(); ++i)
    if (best < 0 || values[i] > values[static_cast<size_t>(best)]) best = static_cast<int>(i);
  return best;
}

Result<double> top1_agreement(const engine::Tensor& production, const engine::Tensor& shadow) {
  if (production.shape() != shadow.shape())
    return invalid_argument("the shadow's output is " + engine::shape_to_string(shadow.shape()) +
                            ", production's " + engine::shape_to_string(production.shape()));
  const int64_t n = production.numel();
  if (n == 0) return 1.0;  // nothing to disagree about
  const int64_t items = production.rank() >= 2 && production.dim(0) > 0 ? production.dim(0) : 1;
  const int64_t per_item = n / items;
  int64_t same = 0;
  std::vector<double> a(static_cast<size_t>(per_item)), b(static_cast<size_t>(per_item));
  for (int64_t item = 0; item < items; ++item) {
    for (int64_t k = 0; k < per_item; ++k) {
      a[static_cast<size_t>(k)] = production.value_as_double(item * per_item + k);
      b[static_cast<size_t>(k)] = shadow.value_as_double(item * per_item + k);
    }
    if (argmax(a) == argmax(b)) ++same;
  }
  return static_cast<double>(same) / static_cast<double>(items);
}

double box_iou(const processing::Detection& a, const processing::Detection& b) {
  if (a.w <= 0 || a.h <= 0 || b.w <= 0 || b.h <= 0) return 0;
  const double ix = std::max(0.0, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
  const double iy = std::max(0.0, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
  const double inter = ix * iy;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

double detection_agreement(const std::vector<processing::Detection>& production,
                           const std::vector<processing::Detection>& shadow, double min_iou) {
  if (production.empty() && shadow.empty()) return 1.0;
  // Every same-class pair that overlaps enough, best overlap first (ties by position, so the
  // result does not depend on the sort's stability).
  std::vector<std::tuple<double, size_t, size_t>> pairs;
  for (size_t i = 0; i < production.size(); ++i)
    for (size_t j = 0; j < shadow.size(); ++j) {
      if (production[i].class_index != shadow[j].class_index) continue;
      double iou = box_iou(production[i], shadow[j]);
      if (iou >= min_iou) pairs.emplace_back(iou, i, j);
    }
  std::sort(pairs.begin(), pairs.end(), [](const auto& p, const auto& q) {
    if (std::get<0>(p) != std::get<0>(q)) return std::get<0>(p) > std::get<0>(q);
    return std::tie(std::get<1>(p), std::get<2>(p)) < std::tie(std::get<1>(q), std::get<2>(q));
  });
  std::vector<bool> used_a(production.size()), used_b(shadow.size());
  size_t matched = 0;
  for (const auto& [iou, i, j] : pairs) {
    if (used_a[i] || used_b[j]) continue;
    used_a[i] = used_b[j] = true;
    ++matched;
  }
  return static_cast<double>(matched) / static_cast<double>(std::max(production.size(), shadow.size()));
}

namespace {

std::vector<std::string> output_names(const ServedModel& m) {
  std::vector<std::string> names;
  for (const auto& o : m.session->outputs()) names.push_back(o.name);
  return names;
}

}  // namespace

Result<double> outputs_agreement(const ServedModel& production, const std::vector<engine::Tensor>& production_outputs,
                                 const ServedModel& shadow, const std::vector<engine::Tensor>& shadow_outputs,
                                 const processing::ImageTransform& transform) {
  if (production_outputs.empty() || shadow_outputs.empty())
    return invalid_argument("no outputs to compare (production gave " + std::to_string(production_outputs.size()) +
                            ", the shadow " + std::to_string(shadow_outputs.size()) + ")");
  if (production.spec && production.spec->post.is_detection()) {
    // Each version decodes with its own spec: a new version may bring a new head or threshold.
    if (!shadow.spec || !shadow.spec->post.is_detection())
      return invalid_argument("production " + production.name + "@" + production.version +
                              " is a detector, the shadow " + shadow.version + " has no detection spec");
    auto a = processing::decode_detections(production_outputs, output_names(production), production.spec->post, transform);
    if (!a.is_ok()) return a.status().with_context("decoding production's detections");
    auto b = processing::decode_detections(shadow_outputs, output_names(shadow), shadow.spec->post, transform);
    if (!b.is_ok()) return b.status().with_context("decoding the shadow's detections");
    return detection_agreement(*a, *b);
  }
  if (production.spec && production.spec->post.kind == processing::PostprocessKind::kClassification && shadow.spec &&
      shadow.spec->post.kind == processing::PostprocessKind::kClassification) {
    // The spec's scores (label offset applied) when the output is one item; a batch falls
    // through to the per-item rule below, which ranks the same raw scores.
    auto a = processing::classification_scores(production_outputs[0], production.spec->post);
    auto b = processing::classification_scores(shadow_outputs[0], shadow.spec->post);
    if (a.is_ok() && b.is_ok()) {
      std::vector<double> da(a->begin(), a->end()), db(b->begin(), b->end());
      return argmax(da) == argmax(db) ? 1.0 : 0.0;
    }
  }
  return top1_agreement(production_outputs[0], shadow_outputs[0]);
}

}  // namespace fogline::node::shadow
