// The evaluation runner behind `fogline eval`: runs a model (an engine Session) over a dataset
// item by item — preprocess, run, postprocess — and computes the task's metrics overall and
// per slice, plus the engine's latency (p50/p90 of the run call alone) and the throughput of
// the whole pipeline (decode + preprocess + run + postprocess).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/dataset.h"
#include "engine/session.h"
#include "eval/classification_metrics.h"
#include "eval/coco_eval.h"
#include "processing/processing_spec.h"
#include "eval/voc_ap.h"

namespace fogline::eval {

struct EvaluationOptions {
  processing::ProcessingSpec spec;
  std::vector<std::string> slice_keys;  // report these slices (empty: every slice the dataset has)
  int64_t limit = 0;                    // first N items only
  int top_k = 5;
  // Called after each item with (done, total).
  std::function<void(int64_t, int64_t)> progress;
};

struct LatencyStats {
  int64_t runs = 0;
  double p50_ms = 0, p90_ms = 0, mean_ms = 0;
  double items_per_second = 0;      // whole pipeline, wall clock
  double inferences_per_second = 0; // 1000 / mean run latency
  nlohmann::json to_json() const;
};

struct SliceResult {
  std::string key, value;
  int64_t items = 0;
  nlohmann::json metrics;
  double primary = -1;  // the task's headline number (accuracy, AP, MAE)
};

struct EvaluationReport {
  data::TaskKind task = data::TaskKind::kClassification;
  std::string primary_metric;  // "accuracy", "AP" or "mae"
  int64_t items = 0;           // evaluated
  std::vector<std::string> class_names;
  nlohmann::json overall;
  std::vector<SliceResult> slices;
  LatencyStats latency;
  std::vector<std::string> errors;  // items that could not be evaluated (file: reason)
  // Kept for plots.
  std::optional<ClassificationMetrics> classification;
  std::optional<CocoEvaluation> coco;
  std::optional<VocEvaluation> voc;
  // Detection: every box as evaluated (image_id = index into image_files), to write as COCO
  // files (--save-detections / --save-ground-truth) and score elsewhere.
  std::vector<GroundTruthBox> ground_truth;
  std::vector<DetectionBox> detections;
  std::vector<std::string> image_files;
  std::vector<std::pair<int, int>> image_sizes;  // width, height

  nlohmann::json to_json() const;
};

// Fills the preprocessing size (and layout) from the model's first input when the spec leaves
// it at 0; an error when the model's input is not an image tensor the spec can produce.
Status resolve_input_size(const engine::Session& session, processing::PreprocessSpec* spec);

Result<EvaluationReport> evaluate_model(const engine::Session& session, const data::Dataset& dataset,
                                        const EvaluationOptions& options);

// COCO files of a detection report: an instances JSON (images, categories, annotations) and a
// results list ([{image_id, category_id, bbox, score}]), so pycocotools or any other tool can
// score the same boxes.
nlohmann::json coco_ground_truth_json(const EvaluationReport& report);
nlohmann::json coco_results_json(const EvaluationReport& report);

// Percentile of `values` (linear interpolation between closest ranks, as numpy's default).
double percentile(std::vector<double> values, double p);

}  // namespace fogline::eval
