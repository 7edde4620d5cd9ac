// COCO evaluation from COCO files (an instances ground truth and a results list) and its JSON
// form: what `fogline metrics coco` prints and what the registry stores.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "data/coco_json.h"
#include "eval/coco_eval.h"

namespace fogline::eval {

// Every image and category of the ground truth takes part, as in pycocotools (params.imgIds =
// all image ids, params.catIds = all category ids).
Result<CocoEvaluation> evaluate_coco_files(const data::CocoInstances& ground_truth,
                                           const std::vector<data::CocoResult>& results);

// {"AP": .., "AP50": .., ..., "per_class": [{"id", "name", "AP", "AP50"}], ...}.
// `names` maps category ids to names (may be empty).
nlohmann::json coco_evaluation_to_json(const CocoEvaluation& evaluation, const std::map<int64_t, std::string>& names);

}  // namespace fogline::eval
