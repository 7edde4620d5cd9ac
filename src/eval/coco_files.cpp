#include "eval/coco_files.h"

namespace fogline::eval {

Result<CocoEvaluation> evaluate_coco_files(const data::CocoInstances& gt, const std::vector<data::CocoResult>& results) {
  std::vector<int64_t> images, categories;
  for (const auto& im : gt.images) images.push_back(im.id);
  for (const auto& c : gt.categories) categories.push_back(c.id);
  std::vector<GroundTruthBox> boxes;
  boxes.reserve(gt.annotations.size());
  for (const auto& a : gt.annotations) boxes.push_back({a.image_id, a.category_id, {a.x, a.y, a.w, a.h}, a.area, a.iscrowd});
  std::vector<DetectionBox> dets;
  dets.reserve(results.size());
  for (const auto& r : results) dets.push_back({r.image_id, r.category_id, {r.x, r.y, r.w, r.h}, r.score});
  return evaluate_coco(std::move(images), std::move(categories), boxes, dets);
}

nlohmann::json coco_evaluation_to_json(const CocoEvaluation& ev, const std::map<int64_t, std::string>& names) {
  nlohmann::json j = nlohmann::json::object();
  for (int s = 0; s < kCocoStatCount; ++s) j[coco_stat_key(s)] = ev.stats[static_cast<size_t>(s)];
  nlohmann::json per_class = nlohmann::json::array();
  for (size_t k = 0; k < ev.category_ids.size(); ++k) {
    nlohmann::json c;
    c["id"] = ev.category_ids[k];
    auto it = names.find(ev.category_ids[k]);
    if (it != names.end()) c["name"] = it->second;
    c["AP"] = ev.category_ap(k);
    c["AP50"] = ev.category_ap50(k);
    per_class.push_back(c);
  }
  j["per_class"] = per_class;
  j["images"] = ev.image_ids.size();
  j["categories"] = ev.category_ids.size();
  if (ev.detections_with_unknown_category) j["detections_with_unknown_category"] = ev.detections_with_unknown_category;
  return j;
}

}  // namespace fogline::eval
