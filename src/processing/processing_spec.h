// What a model needs around it: how an image becomes its input tensor (preprocessing) and how
// its outputs become labels or boxes (postprocessing). Stored as JSON with each model version
// (the registry keeps it), so an evaluation or a deployment runs the model the way it was
// trained. Unknown JSON keys are errors: a misspelt "mean" must not silently become 0.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::processing {

enum class ResizeMode {
  kStretch,     // to width x height, aspect ratio not kept
  kLetterbox,   // scale to fit, pad with `fill` (top-left or centred)
  kCenterCrop,  // shorter side to `shorter_side`, then the centre width x height
};

struct PreprocessSpec {
  std::string layout = "NCHW";  // NCHW | NHWC
  int width = 0, height = 0;    // 0: from the model's static input shape
  ResizeMode resize = ResizeMode::kStretch;
  double fill = 114;            // letterbox padding value (0..255, before scaling)
  bool center_pad = false;      // letterbox: centre the image (ultralytics) or top-left (YOLOX)
  int shorter_side = 0;         // center crop: 0 means round(crop * 256 / 224)
  std::string interpolation = "linear";  // nearest | linear | cubic | area
  double scale = 1.0 / 255.0;   // pixel (0..255) * scale, then (x - mean) / std
  std::vector<double> mean{0, 0, 0};
  std::vector<double> std{1, 1, 1};
  bool bgr = false;             // channel order fed to the model
  std::string dtype = "float32";  // float32 | uint8 (raw pixels; scale/mean/std unused)

  nlohmann::json to_json() const;
  static Result<PreprocessSpec> from_json(const nlohmann::json& j);
  Status validate() const;
};

enum class PostprocessKind {
  kClassification,  // scores [1, C] (optionally softmax)
  kYoloxGrid,       // [1, N, 5+C] raw box offsets on a stride grid, objectness, class scores
  kYoloV5,          // [1, N, 5+C] decoded cx cy w h (input pixels), objectness, class scores
  kYoloV8,          // [1, 4+C, N] decoded cx cy w h, class scores (no objectness)
  kBoxesScores,     // separate outputs: boxes [1, N, 4], scores [1, N] or [1, N, C], classes [1, N]
  kRegression,      // a value [1] or [1, 1]
};
const char* postprocess_kind_name(PostprocessKind kind);

struct PostprocessSpec {
  PostprocessKind kind = PostprocessKind::kClassification;
  // classification
  bool softmax = false;
  // The model's class names in output order: inline (`labels` as a JSON array, what the
  // registry stores) or a file (`labels` as a string: one name per line).
  std::vector<std::string> labels;
  std::string labels_file;
  int label_offset = 0;      // output index - offset = class index (1 for models with a background class)
  // detection
  std::vector<int> strides{8, 16, 32};
  double score_threshold = 0.001;
  double nms_iou = 0.65;
  int max_detections = 100;
  bool class_agnostic_nms = false;
  bool multi_label = false;  // one candidate per class above the threshold, not just the best class
  // boxes+scores outputs
  std::string box_format = "xyxy";  // xyxy | xywh | cxcywh
  bool normalized_boxes = false;    // boxes in 0..1 of the input size
  std::string boxes_output, scores_output, classes_output;  // output names; empty: by position

  nlohmann::json to_json() const;
  static Result<PostprocessSpec> from_json(const nlohmann::json& j);
  Status validate() const;
  bool has_labels() const { return !labels.empty() || !labels_file.empty(); }
  // The inline names, or the file's; empty when there are none.
  Result<std::vector<std::string>> label_names() const;
  // Reads labels_file into `labels`, so the spec no longer depends on a file's location.
  Status embed_labels();
  bool is_detection() const { return kind != PostprocessKind::kClassification && kind != PostprocessKind::kRegression; }
};

struct ProcessingSpec {
  PreprocessSpec pre;
  PostprocessSpec post;

  // {"preprocess": {...}, "postprocess": {...}}
  nlohmann::json to_json() const;
  static Result<ProcessingSpec> from_json(const nlohmann::json& j);
  static Result<ProcessingSpec> load(const std::string& path);
};

}  // namespace fogline::processing
