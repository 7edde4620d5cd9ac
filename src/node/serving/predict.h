// The simple prediction call: an image (JPEG/PNG bytes) or numbers in, labels with scores or
// boxes with class and score out. Preprocessing and decoding are src/processing's, the same
// code evaluation measured the model with, so the node answers what was measured.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/status.h"
#include "node/serving/served_model.h"
#include "node/shadow/run_tap.h"

namespace fogline::node {

struct PredictOptions {
  int top_k = 5;  // classification: how many classes, best first
  const RunTap* tap = nullptr;  // sees each answered run (the shadow's copy); may be null
};

// One encoded image: decoded with OpenCV, preprocessed with the model's spec, run, decoded.
// Returns one prediction object: {"classes": [{index, label, score}]}, {"detections":
// [{class_index, label, score, box: {x, y, width, height}}]} or {"value": v}.
Result<nlohmann::json> predict_image(const ServedModel& model, const std::string& encoded, const PredictOptions& options);

// A JSON body: {"image": BASE64} or {"instances": [...]}, each instance {"b64": BASE64} (an
// image) or numbers for the model's single input (nested or flat, batch dimension optional).
// Returns {"model_name", "model_version", "predictions": [...]}, one per image or instance.
Result<nlohmann::json> predict_json(const ServedModel& model, const nlohmann::json& body, const PredictOptions& options);

// Standard base64 (RFC 4648, padding optional, whitespace skipped).
Result<std::string> base64_decode(const std::string& text);

}  // namespace fogline::node
