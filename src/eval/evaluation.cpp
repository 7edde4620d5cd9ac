#include "eval/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>

#include "data/text_files.h"
#include "processing/postprocess.h"
#include "processing/preprocess.h"

namespace fogline::eval {

namespace {

using Clock = std::chrono::steady_clock;
using SliceId = std::pair<std::string, std::string>;  // key, value

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

nlohmann::json classification_summary(const ClassificationMetrics& m) {
  return {{"count", m.count}, {"accuracy", m.accuracy}, {"top_k", m.top_k}, {"top_k_accuracy", m.top_k_accuracy},
          {"macro_f1", m.macro_f1}, {"macro_precision", m.macro_precision}, {"macro_recall", m.macro_recall}};
}

nlohmann::json coco_summary(const CocoEvaluation& ev, const VocEvaluation& voc) {
  nlohmann::json j;
  for (int s = 0; s < kCocoStatCount; ++s) j[coco_stat_key(s)] = ev.stats[static_cast<size_t>(s)];
  j["voc_mAP50_all_points"] = voc.map_all_points;
  j["voc_mAP50_11_points"] = voc.map_11_points;
  return j;
}

// Maps the model's class order to the dataset's: identity when the counts agree and no labels
// file says otherwise; by name when a labels file is given.
Result<std::vector<int>> class_mapping(const processing::PostprocessSpec& post, size_t model_classes, const data::Dataset& ds) {
  std::vector<int> map(model_classes, -1);
  if (!post.has_labels()) {
    if (!ds.class_names.empty() && model_classes != ds.class_names.size()) {
      return invalid_argument("the model gives " + std::to_string(model_classes) + " class scores but the dataset has " +
                              std::to_string(ds.class_names.size()) +
                              " classes; give the model's class names (postprocess.labels / --labels) to map them by name");
    }
    for (size_t i = 0; i < model_classes; ++i) map[i] = static_cast<int>(i);
    return map;
  }
  const std::string source = post.labels.empty() ? post.labels_file : std::string("postprocess.labels");
  FOGLINE_ASSIGN_OR_RETURN(auto names, post.label_names());
  if (names.size() != model_classes) {
    return invalid_argument(source + ": " + std::to_string(names.size()) + " names, the model gives " +
                            std::to_string(model_classes) + " scores");
  }
  std::map<std::string, int> index;
  for (size_t i = 0; i < ds.class_names.size(); ++i) index.emplace(ds.class_names[i], static_cast<int>(i));
  size_t matched = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    auto it = index.find(names[i]);
    if (it != index.end()) map[i] = it->second, ++matched;
  }
  if (matched == 0) return invalid_argument(source + ": no class name matches the dataset's classes");
  return map;
}

}  // namespace

nlohmann::json coco_ground_truth_json(const EvaluationReport& r) {
  nlohmann::json images = nlohmann::json::array(), categories = nlohmann::json::array(), annotations = nlohmann::json::array();
  for (size_t i = 0; i < r.image_files.size(); ++i) {
    images.push_back({{"id", i}, {"file_name", r.image_files[i]}, {"width", r.image_sizes[i].first}, {"height", r.image_sizes[i].second}});
  }
  for (size_t c = 0; c < r.class_names.size(); ++c) categories.push_back({{"id", c}, {"name", r.class_names[c]}});
  for (size_t a = 0; a < r.ground_truth.size(); ++a) {
    const auto& g = r.ground_truth[a];
    annotations.push_back({{"id", a + 1}, {"image_id", g.image_id}, {"category_id", g.category_id},
                           {"bbox", {g.box.x, g.box.y, g.box.w, g.box.h}}, {"area", g.area}, {"iscrowd", g.iscrowd ? 1 : 0}});
  }
  return {{"images", images}, {"categories", categories}, {"annotations", annotations}};
}

nlohmann::json coco_results_json(const EvaluationReport& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : r.detections) {
    out.push_back({{"image_id", d.image_id}, {"category_id", d.category_id}, {"bbox", {d.box.x, d.box.y, d.box.w, d.box.h}},
                   {"score", d.score}});
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double rank = p / 100.0 * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank)), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

nlohmann::json LatencyStats::to_json() const {
  return {{"runs", runs}, {"p50_ms", p50_ms}, {"p90_ms", p90_ms}, {"mean_ms", mean_ms},
          {"items_per_second", items_per_second}, {"inferences_per_second", inferences_per_second}};
}

nlohmann::json EvaluationReport::to_json() const {
  nlohmann::json j;
  j["task"] = data::task_kind_name(task);
  j["primary_metric"] = primary_metric;
  j["items"] = items;
  j["overall"] = overall;
  nlohmann::json s = nlohmann::json::object();
  for (const auto& r : slices) {
    nlohmann::json m = r.metrics;
    m["items"] = r.items;
    s[r.key][r.value] = m;
  }
  j["slices"] = s;
  j["latency"] = latency.to_json();
  j["errors"] = errors;
  return j;
}

Status resolve_input_size(const engine::Session& session, processing::PreprocessSpec* spec) {
  if (session.inputs().empty()) return invalid_argument("the model has no inputs");
  if (spec->width > 0 && spec->height > 0) return Status::ok();
  const auto& type = session.inputs()[0].type;
  if (type.dims.size() != 4) {
    return invalid_argument("model input " + session.inputs()[0].name + " is " + type.to_string() +
                            ", not an image batch; give the size (--size H,W) or a spec");
  }
  bool nchw = spec->layout == "NCHW";
  const auto& d = type.dims;
  // A channel dim of 3 in the other place means the layout was the other one.
  if (nchw && d[1].value != 3 && d[3].value == 3) nchw = false, spec->layout = "NHWC";
  if (!nchw && d[3].value != 3 && d[1].value == 3) nchw = true, spec->layout = "NCHW";
  int64_t h = nchw ? d[2].value : d[1].value, w = nchw ? d[3].value : d[2].value;
  if (h <= 0 || w <= 0) {
    return invalid_argument("model input " + session.inputs()[0].name + " is " + type.to_string() +
                            " with no fixed height and width; give --size H,W");
  }
  spec->height = static_cast<int>(h), spec->width = static_cast<int>(w);
  return Status::ok();
}

Result<EvaluationReport> evaluate_model(const engine::Session& session, const data::Dataset& ds, const EvaluationOptions& options) {
  EvaluationReport report;
  report.task = ds.task;
  report.class_names = ds.class_names;
  processing::ProcessingSpec spec = options.spec;
  const bool image_items = ds.format != "csv" || (!ds.items.empty() && ds.items[0].features.empty());
  if (image_items) FOGLINE_TRY(resolve_input_size(session, &spec.pre));
  if (ds.task == data::TaskKind::kDetection && !spec.post.is_detection()) {
    return invalid_argument("the dataset has boxes but the postprocessing is " +
                            std::string(processing::postprocess_kind_name(spec.post.kind)) + "; choose a detection decoder (--post yolox|yolov5|yolov8|boxes_scores)");
  }
  if (ds.task != data::TaskKind::kDetection && spec.post.is_detection()) {
    return invalid_argument(std::string("the postprocessing is a detector (") + processing::postprocess_kind_name(spec.post.kind) +
                            ") but the dataset has no boxes");
  }
  std::vector<const data::DatasetItem*> items;
  for (const auto& it : ds.items) items.push_back(&it);
  if (options.limit > 0 && static_cast<int64_t>(items.size()) > options.limit) items.resize(static_cast<size_t>(options.limit));
  std::vector<std::string> keys = options.slice_keys.empty() ? ds.slice_keys() : options.slice_keys;
  for (const auto& k : keys) {
    bool known = false;
    for (const auto& dk : ds.slice_keys()) known = known || dk == k;
    if (!known) return invalid_argument("slice \"" + k + "\" is not defined for this dataset (add --slice " + k + "=SOURCE)");
  }
  std::vector<std::string> output_names;
  for (const auto& o : session.outputs()) output_names.push_back(o.name);

  // Accumulators: overall and per (key, value).
  const int num_classes = static_cast<int>(ds.class_names.size());
  std::optional<std::vector<int>> mapping;
  // Detection with a labels file: the detector's classes mapped to the dataset's by name;
  // detections of classes the dataset does not have are dropped and counted.
  std::optional<std::vector<int>> detection_mapping;
  int64_t unmapped_detections = 0;
  if (ds.task == data::TaskKind::kDetection && spec.post.has_labels()) {
    FOGLINE_ASSIGN_OR_RETURN(auto names, spec.post.label_names());
    FOGLINE_ASSIGN_OR_RETURN(detection_mapping, class_mapping(spec.post, names.size(), ds));
  }
  std::optional<ClassificationAccumulator> cls_all;
  std::map<SliceId, ClassificationAccumulator> cls_slices;
  RegressionAccumulator reg_all;
  std::map<SliceId, RegressionAccumulator> reg_slices;
  std::vector<GroundTruthBox> gts;
  std::vector<DetectionBox> dets;
  std::map<SliceId, std::vector<int64_t>> slice_images;
  std::map<SliceId, int64_t> slice_items;
  std::map<SliceId, std::vector<double>> slice_run_ms;  // cameras with bigger frames may be slower

  std::vector<double> run_ms;
  auto start = Clock::now();
  const int64_t total = static_cast<int64_t>(items.size());
  std::future<Result<processing::PreprocessedImage>> next_image;
  if (image_items && total > 0) {
    next_image = std::async(std::launch::async, [&spec, path = items[0]->path] { return processing::preprocess_file(path, spec.pre); });
  }
  for (int64_t n = 0; n < total; ++n) {
    const data::DatasetItem& item = *items[static_cast<size_t>(n)];
    std::vector<SliceId> ids;
    for (const auto& k : keys) {
      auto it = item.tags.find(k);
      ids.emplace_back(k, it == item.tags.end() ? data::kMissingSliceValue : it->second);
    }
    // Input.
    engine::Tensor input;
    processing::ImageTransform transform;
    if (image_items) {
      // Decoding and preprocessing of the next image overlap this one's engine run.
      auto pre = next_image.get();
      if (n + 1 < total) {
        const std::string next_path = items[static_cast<size_t>(n + 1)]->path;
        next_image = std::async(std::launch::async, [&spec, next_path] { return processing::preprocess_file(next_path, spec.pre); });
      }
      if (!pre.is_ok()) {
        report.errors.push_back(item.relative + ": " + pre.status().message());
        if (options.progress) options.progress(n + 1, total);
        continue;
      }
      input = std::move(pre->tensor);
      transform = pre->transform;
    } else {
      FOGLINE_ASSIGN_OR_RETURN(input, engine::Tensor::allocate(engine::DataType::kFloat, {1, static_cast<int64_t>(item.features.size())}));
      for (size_t f = 0; f < item.features.size(); ++f) input.data<float>()[f] = static_cast<float>(item.features[f]);
    }
    auto t0 = Clock::now();
    auto outputs = session.run({input});
    run_ms.push_back(ms_since(t0));
    if (!outputs.is_ok()) return outputs.status().with_context("running the model on " + item.relative);
    if (outputs->empty()) return invalid_argument("the model returned no outputs");
    for (const auto& id : ids) ++slice_items[id], slice_run_ms[id].push_back(run_ms.back());

    if (ds.task == data::TaskKind::kClassification) {
      FOGLINE_ASSIGN_OR_RETURN(auto scores, processing::classification_scores((*outputs)[0], spec.post));
      if (!mapping) {
        FOGLINE_ASSIGN_OR_RETURN(mapping, class_mapping(spec.post, scores.size(), ds));
        cls_all.emplace(num_classes, options.top_k);
      }
      if (scores.size() != mapping->size()) return invalid_argument("the number of class scores changed between items");
      // Ranked dataset classes, best first; model classes the dataset does not know are skipped.
      auto ranked_model = top_k_indices(scores.data(), scores.size(), static_cast<int>(scores.size()));
      std::vector<int> ranked;
      for (int m : ranked_model) {
        int c = (*mapping)[static_cast<size_t>(m)];
        if (c >= 0) ranked.push_back(c);
        if (static_cast<int>(ranked.size()) >= options.top_k) break;
      }
      FOGLINE_TRY(cls_all->add_ranked(item.label, ranked).with_context(item.relative));
      for (const auto& id : ids) {
        auto it = cls_slices.try_emplace(id, num_classes, options.top_k).first;
        FOGLINE_TRY(it->second.add_ranked(item.label, ranked));
      }
    } else if (ds.task == data::TaskKind::kRegression) {
      const engine::Tensor& out = (*outputs)[0];
      if (out.numel() < 1) return invalid_argument("regression: the model's output is empty");
      double pred = out.value_as_double(0);
      FOGLINE_TRY(reg_all.add(item.target, pred).with_context(item.relative));
      for (const auto& id : ids) FOGLINE_TRY(reg_slices[id].add(item.target, pred));
    } else {
      FOGLINE_ASSIGN_OR_RETURN(auto found, processing::decode_detections(*outputs, output_names, spec.post, transform));
      const int64_t image_id = n;
      for (const auto& b : item.boxes) gts.push_back({image_id, b.class_index, {b.x, b.y, b.w, b.h}, b.area, b.iscrowd});
      for (const auto& d : found) {
        int c = d.class_index;
        if (detection_mapping) {
          c = c >= 0 && static_cast<size_t>(c) < detection_mapping->size() ? (*detection_mapping)[static_cast<size_t>(c)] : -1;
          if (c < 0) {
            ++unmapped_detections;
            continue;
          }
        }
        dets.push_back({image_id, c, {d.x, d.y, d.w, d.h}, d.score});
      }
      for (const auto& id : ids) slice_images[id].push_back(image_id);
      report.image_files.resize(static_cast<size_t>(total));
      report.image_sizes.resize(static_cast<size_t>(total));
      report.image_files[static_cast<size_t>(n)] = item.relative;
      report.image_sizes[static_cast<size_t>(n)] = {transform.original_width, transform.original_height};
    }
    ++report.items;
    if (options.progress) options.progress(n + 1, total);
  }
  double wall_s = ms_since(start) / 1000.0;
  report.latency.runs = static_cast<int64_t>(run_ms.size());
  if (!run_ms.empty()) {
    double sum = 0;
    for (double v : run_ms) sum += v;
    report.latency.mean_ms = sum / static_cast<double>(run_ms.size());
    report.latency.p50_ms = percentile(run_ms, 50);
    report.latency.p90_ms = percentile(run_ms, 90);
    report.latency.inferences_per_second = report.latency.mean_ms > 0 ? 1000.0 / report.latency.mean_ms : 0;
    report.latency.items_per_second = wall_s > 0 ? static_cast<double>(report.items) / wall_s : 0;
  }

  auto add_slice = [&](const SliceId& id, nlohmann::json metrics, double primary) {
    metrics["latency_p50_ms"] = percentile(slice_run_ms[id], 50);
    metrics["latency_p90_ms"] = percentile(slice_run_ms[id], 90);
    report.slices.push_back({id.first, id.second, slice_items[id], std::move(metrics), primary});
  };
  if (ds.task == data::TaskKind::kClassification) {
    report.primary_metric = "accuracy";
    if (!cls_all) cls_all.emplace(num_classes, options.top_k);
    report.classification = cls_all->finish();
    report.overall = report.classification->to_json(ds.class_names);
    for (const auto& [id, acc] : cls_slices) {
      auto m = acc.finish();
      add_slice(id, classification_summary(m), m.accuracy);
    }
  } else if (ds.task == data::TaskKind::kRegression) {
    report.primary_metric = "mae";
    report.overall = reg_all.finish().to_json();
    for (const auto& [id, acc] : reg_slices) {
      auto m = acc.finish();
      add_slice(id, m.to_json(), m.mae);
    }
  } else {
    report.primary_metric = "AP";
    std::vector<int64_t> all_images, categories;
    for (int64_t i = 0; i < total; ++i) all_images.push_back(i);
    for (int c = 0; c < num_classes; ++c) categories.push_back(c);
    FOGLINE_ASSIGN_OR_RETURN(auto ev, evaluate_coco(all_images, categories, gts, dets));
    report.voc = evaluate_voc(gts, dets);
    report.overall = coco_summary(ev, *report.voc);
    nlohmann::json per_class = nlohmann::json::array();
    for (size_t k = 0; k < ev.category_ids.size(); ++k) {
      if (ev.category_ap(k) <= -1) continue;
      nlohmann::json c{{"class", ev.category_ids[k]}, {"AP", ev.category_ap(k)}, {"AP50", ev.category_ap50(k)}};
      if (static_cast<size_t>(ev.category_ids[k]) < ds.class_names.size()) c["name"] = ds.class_names[static_cast<size_t>(ev.category_ids[k])];
      per_class.push_back(c);
    }
    report.overall["per_class"] = per_class;
    report.overall["detections"] = dets.size();
    report.overall["ground_truth"] = gts.size();
    if (ev.detections_with_unknown_category) report.overall["detections_with_unknown_class"] = ev.detections_with_unknown_category;
    if (unmapped_detections) report.overall["detections_of_classes_not_in_dataset"] = unmapped_detections;
    report.coco = std::move(ev);
    report.ground_truth = gts;
    report.detections = dets;
    for (const auto& [id, images] : slice_images) {
      std::vector<int64_t> sorted = images;
      std::sort(sorted.begin(), sorted.end());
      std::vector<GroundTruthBox> g;
      std::vector<DetectionBox> d;
      for (const auto& b : gts) {
        if (std::binary_search(sorted.begin(), sorted.end(), b.image_id)) g.push_back(b);
      }
      for (const auto& b : dets) {
        if (std::binary_search(sorted.begin(), sorted.end(), b.image_id)) d.push_back(b);
      }
      FOGLINE_ASSIGN_OR_RETURN(auto sev, evaluate_coco(sorted, categories, g, d));
      auto svoc = evaluate_voc(g, d);
      add_slice(id, coco_summary(sev, svoc), sev.stats[kAP]);
    }
  }
  return report;
}

}  // namespace fogline::eval
