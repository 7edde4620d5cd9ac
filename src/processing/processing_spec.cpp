#include "processing/processing_spec.h"

#include <set>

#include "core/file_util.h"
#include "data/text_files.h"

namespace fogline::processing {

using nlohmann::json;

namespace {

const char* resize_name(ResizeMode m) {
  switch (m) {
    case ResizeMode::kStretch: return "stretch";
    case ResizeMode::kLetterbox: return "letterbox";
    case ResizeMode::kCenterCrop: return "center_crop";
  }
  return "?";
}

struct KindName {
  PostprocessKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {PostprocessKind::kClassification, "classification"}, {PostprocessKind::kYoloxGrid, "yolox"},
    {PostprocessKind::kYoloV5, "yolov5"},                  {PostprocessKind::kYoloV8, "yolov8"},
    {PostprocessKind::kBoxesScores, "boxes_scores"},       {PostprocessKind::kRegression, "regression"},
};

// Reads JSON fields with checked types; remembers which keys were used so that unknown ones
// can be reported.
class Reader {
 public:
  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {}
  Status check_object() const {
    return j_.is_object() ? Status::ok() : invalid_argument(where_ + ": expected an object, got " + j_.dump());
  }
  template <typename T>
  Status get(const char* key, T* out) {
    used_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) return Status::ok();
    try {
      *out = it->get<T>();
    } catch (const json::exception&) {
      return invalid_argument(where_ + "." + key + ": wrong type (" + it->dump() + ")");
    }
    return Status::ok();
  }
  Status unknown_keys() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (!used_.count(it.key())) return invalid_argument(where_ + ": unknown key \"" + it.key() + "\"");
    }
    return Status::ok();
  }

 private:
  const json& j_;
  std::string where_;
  std::set<std::string> used_;
};

}  // namespace

const char* postprocess_kind_name(PostprocessKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

json PreprocessSpec::to_json() const {
  json j{{"layout", layout}, {"size", {height, width}}, {"resize", resize_name(resize)}, {"interpolation", interpolation},
         {"scale", scale}, {"mean", mean}, {"std", std}, {"color", bgr ? "BGR" : "RGB"}, {"dtype", dtype}};
  if (resize == ResizeMode::kLetterbox) {
    j["fill"] = fill;
    j["pad"] = center_pad ? "center" : "top-left";
  }
  if (resize == ResizeMode::kCenterCrop) j["shorter_side"] = shorter_side;
  return j;
}

Status PreprocessSpec::validate() const {
  if (layout != "NCHW" && layout != "NHWC") return invalid_argument("preprocess.layout: expected NCHW or NHWC, got " + layout);
  if (width < 0 || height < 0 || width > 16384 || height > 16384) return invalid_argument("preprocess.size: out of range");
  if (mean.size() != 3 || std.size() != 3) return invalid_argument("preprocess.mean and .std take 3 values");
  for (double s : std) {
    if (s == 0) return invalid_argument("preprocess.std: a value is 0");
  }
  if (dtype != "float32" && dtype != "uint8") return invalid_argument("preprocess.dtype: expected float32 or uint8, got " + dtype);
  if (interpolation != "nearest" && interpolation != "linear" && interpolation != "cubic" && interpolation != "area") {
    return invalid_argument("preprocess.interpolation: expected nearest, linear, cubic or area, got " + interpolation);
  }
  if (shorter_side < 0) return invalid_argument("preprocess.shorter_side: negative");
  return Status::ok();
}

Result<PreprocessSpec> PreprocessSpec::from_json(const json& j) {
  PreprocessSpec p;
  Reader r(j, "preprocess");
  FOGLINE_TRY(r.check_object());
  std::vector<int> size;
  std::string resize = resize_name(p.resize), color = p.bgr ? "BGR" : "RGB", pad = "top-left";
  FOGLINE_TRY(r.get("layout", &p.layout));
  FOGLINE_TRY(r.get("size", &size));
  FOGLINE_TRY(r.get("resize", &resize));
  FOGLINE_TRY(r.get("fill", &p.fill));
  FOGLINE_TRY(r.get("pad", &pad));
  FOGLINE_TRY(r.get("shorter_side", &p.shorter_side));
  FOGLINE_TRY(r.get("interpolation", &p.interpolation));
  FOGLINE_TRY(r.get("scale", &p.scale));
  FOGLINE_TRY(r.get("mean", &p.mean));
  FOGLINE_TRY(r.get("std", &p.std));
  FOGLINE_TRY(r.get("color", &color));
  FOGLINE_TRY(r.get("dtype", &p.dtype));
  FOGLINE_TRY(r.unknown_keys());
  if (!size.empty()) {
    if (size.size() != 2) return invalid_argument("preprocess.size: expected [height, width]");
    p.height = size[0], p.width = size[1];
  }
  if (resize == "stretch") {
    p.resize = ResizeMode::kStretch;
  } else if (resize == "letterbox") {
    p.resize = ResizeMode::kLetterbox;
  } else if (resize == "center_crop") {
    p.resize = ResizeMode::kCenterCrop;
  } else {
    return invalid_argument("preprocess.resize: expected stretch, letterbox or center_crop, got " + resize);
  }
  if (color != "RGB" && color != "BGR") return invalid_argument("preprocess.color: expected RGB or BGR, got " + color);
  p.bgr = color == "BGR";
  if (pad != "top-left" && pad != "center") return invalid_argument("preprocess.pad: expected top-left or center, got " + pad);
  p.center_pad = pad == "center";
  FOGLINE_TRY(p.validate());
  return p;
}

json PostprocessSpec::to_json() const {
  json j{{"kind", postprocess_kind_name(kind)}};
  if (kind == PostprocessKind::kClassification) {
    j["softmax"] = softmax;
    if (!labels.empty()) {
      j["labels"] = labels;
    } else if (!labels_file.empty()) {
      j["labels"] = labels_file;
    }
    if (label_offset) j["label_offset"] = label_offset;
    return j;
  }
  if (kind == PostprocessKind::kRegression) return j;
  if (kind == PostprocessKind::kYoloxGrid) j["strides"] = strides;
  j["score_threshold"] = score_threshold;
  j["nms_iou"] = nms_iou;
  j["max_detections"] = max_detections;
  j["class_agnostic_nms"] = class_agnostic_nms;
  j["multi_label"] = multi_label;
  if (!labels.empty()) {
    j["labels"] = labels;
  } else if (!labels_file.empty()) {
    j["labels"] = labels_file;
  }
  if (kind == PostprocessKind::kBoxesScores) {
    j["box_format"] = box_format;
    j["normalized_boxes"] = normalized_boxes;
    if (!boxes_output.empty()) j["boxes_output"] = boxes_output;
    if (!scores_output.empty()) j["scores_output"] = scores_output;
    if (!classes_output.empty()) j["classes_output"] = classes_output;
  }
  return j;
}

Status PostprocessSpec::validate() const {
  if (score_threshold < 0 || score_threshold > 1) return invalid_argument("postprocess.score_threshold: outside 0..1");
  if (nms_iou <= 0 || nms_iou > 1) return invalid_argument("postprocess.nms_iou: outside (0, 1]");
  if (max_detections <= 0) return invalid_argument("postprocess.max_detections: must be positive");
  if (label_offset < 0) return invalid_argument("postprocess.label_offset: must not be negative");
  if (kind == PostprocessKind::kYoloxGrid && strides.empty()) return invalid_argument("postprocess.strides: empty");
  for (int s : strides) {
    if (s <= 0) return invalid_argument("postprocess.strides: must be positive");
  }
  if (box_format != "xyxy" && box_format != "xywh" && box_format != "cxcywh") {
    return invalid_argument("postprocess.box_format: expected xyxy, xywh or cxcywh, got " + box_format);
  }
  return Status::ok();
}

Result<PostprocessSpec> PostprocessSpec::from_json(const json& j) {
  PostprocessSpec p;
  Reader r(j, "postprocess");
  FOGLINE_TRY(r.check_object());
  std::string kind = postprocess_kind_name(p.kind);
  FOGLINE_TRY(r.get("kind", &kind));
  FOGLINE_TRY(r.get("softmax", &p.softmax));
  if (j.is_object() && j.contains("labels") && j["labels"].is_array()) {
    FOGLINE_TRY(r.get("labels", &p.labels));
  } else {
    FOGLINE_TRY(r.get("labels", &p.labels_file));
  }
  FOGLINE_TRY(r.get("label_offset", &p.label_offset));
  FOGLINE_TRY(r.get("strides", &p.strides));
  FOGLINE_TRY(r.get("score_threshold", &p.score_threshold));
  FOGLINE_TRY(r.get("nms_iou", &p.nms_iou));
  FOGLINE_TRY(r.get("max_detections", &p.max_detections));
  FOGLINE_TRY(r.get("class_agnostic_nms", &p.class_agnostic_nms));
  FOGLINE_TRY(r.get("multi_label", &p.multi_label));
  FOGLINE_TRY(r.get("box_format", &p.box_format));
  FOGLINE_TRY(r.get("normalized_boxes", &p.normalized_boxes));
  FOGLINE_TRY(r.get("boxes_output", &p.boxes_output));
  FOGLINE_TRY(r.get("scores_output", &p.scores_output));
  FOGLINE_TRY(r.get("classes_output", &p.classes_output));
  FOGLINE_TRY(r.unknown_keys());
  bool found = false;
  for (const auto& k : kKinds) {
    if (kind == k.name) p.kind = k.kind, found = true;
  }
  if (!found) {
    return invalid_argument("postprocess.kind: expected classification, yolox, yolov5, yolov8, boxes_scores or regression, got " + kind);
  }
  FOGLINE_TRY(p.validate());
  return p;
}

Result<std::vector<std::string>> PostprocessSpec::label_names() const {
  if (!labels.empty() || labels_file.empty()) return labels;
  return data::read_class_names(labels_file);
}

Status PostprocessSpec::embed_labels() {
  if (labels_file.empty()) return Status::ok();
  FOGLINE_ASSIGN_OR_RETURN(labels, data::read_class_names(labels_file));
  labels_file.clear();
  return Status::ok();
}

json ProcessingSpec::to_json() const { return {{"preprocess", pre.to_json()}, {"postprocess", post.to_json()}}; }

Result<ProcessingSpec> ProcessingSpec::from_json(const json& j) {
  if (!j.is_object()) return invalid_argument("processing spec: expected an object with preprocess and postprocess");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "preprocess" && it.key() != "postprocess") {
      return invalid_argument("processing spec: unknown key \"" + it.key() + "\"");
    }
  }
  ProcessingSpec s;
  if (j.contains("preprocess")) {
    FOGLINE_ASSIGN_OR_RETURN(s.pre, PreprocessSpec::from_json(j["preprocess"]));
  }
  if (j.contains("postprocess")) {
    FOGLINE_ASSIGN_OR_RETURN(s.post, PostprocessSpec::from_json(j["postprocess"]));
  }
  return s;
}

Result<ProcessingSpec> ProcessingSpec::load(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid_argument(path + ": not valid JSON: " + e.what());
  }
  auto s = from_json(j);
  if (!s.is_ok()) return s.status().with_context(path);
  return s;
}

}  // namespace fogline::processing
