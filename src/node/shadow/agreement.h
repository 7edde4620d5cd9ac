// Whether a shadow version answers what production answered, per request, as a number in
// [0, 1] that the node averages into the `agreement` the hub's rollback rules read
// (`agreement<0.9`). Pure functions over outputs, so each rule is tested with hand-computed
// cases (tests/node/shadow_agreement_test.cpp).
#pragma once

#include <vector>

#include "core/status.h"
#include "engine/tensor.h"
#include "node/serving/served_model.h"
#include "processing/postprocess.h"
#include "processing/preprocess.h"

namespace fogline::node::shadow {

// Index of the largest of `values` (ties to the lower index, as /predict ranks); -1 when empty.
int argmax(const std::vector<double>& values);

// One score vector per item: a rank-0/1 tensor is one item, a higher rank is dim 0 items of
// numel/dim0 scores each. The fraction of items whose argmax is the same in both. The shapes
// must match (a shadow that answers another shape cannot be compared).
Result<double> top1_agreement(const engine::Tensor& production, const engine::Tensor& shadow);

// Intersection over union of two boxes (x, y, w, h); 0 when either has no area.
double box_iou(const processing::Detection& a, const processing::Detection& b);

// Greedy one-to-one matching of same-class boxes with IoU >= `min_iou`, the pair with the
// largest IoU first; agreement = matched / max(|production|, |shadow|), and 1 when both are
// empty (both saw nothing: they agree).
double detection_agreement(const std::vector<processing::Detection>& production,
                           const std::vector<processing::Detection>& shadow, double min_iou = 0.5);

// The agreement of one request, by what the production model's spec says its outputs are:
// classification (top-1 of the spec's scores), detection (each model's own decoder, then
// detection_agreement; `transform` is the request's preprocessing) or anything else (top-1 over
// the first output, per item).
Result<double> outputs_agreement(const ServedModel& production, const std::vector<engine::Tensor>& production_outputs,
                                 const ServedModel& shadow, const std::vector<engine::Tensor>& shadow_outputs,
                                 const processing::ImageTransform& transform);

}  // namespace fogline::node::shadow
