#include "processing/spec_presets.h"

namespace fogline::processing {

namespace {

ProcessingSpec imagenet() {
  ProcessingSpec s;
  s.pre.resize = ResizeMode::kCenterCrop;
  s.pre.shorter_side = 256;
  s.pre.mean = {0.485, 0.456, 0.406};
  s.pre.std = {0.229, 0.224, 0.225};
  s.post.kind = PostprocessKind::kClassification;
  s.post.softmax = true;
  return s;
}

ProcessingSpec yolox() {
  ProcessingSpec s;
  s.pre.resize = ResizeMode::kLetterbox;
  s.pre.fill = 114;
  s.pre.center_pad = false;
  s.pre.bgr = true;
  s.pre.scale = 1.0;
  s.post.kind = PostprocessKind::kYoloxGrid;
  s.post.strides = {8, 16, 32};
  s.post.score_threshold = 0.001;
  s.post.nms_iou = 0.65;
  return s;
}

ProcessingSpec ultralytics(PostprocessKind kind, double nms_iou) {
  ProcessingSpec s;
  s.pre.resize = ResizeMode::kLetterbox;
  s.pre.fill = 114;
  s.pre.center_pad = true;
  s.pre.scale = 1.0 / 255.0;
  s.post.kind = kind;
  s.post.score_threshold = 0.001;
  s.post.nms_iou = nms_iou;
  return s;
}

struct Preset {
  const char* name;
  ProcessingSpec (*make)();
};

const Preset kPresets[] = {
    {"imagenet", imagenet},
    {"yolox", yolox},
    {"yolov5", [] { return ultralytics(PostprocessKind::kYoloV5, 0.6); }},
    {"yolov8", [] { return ultralytics(PostprocessKind::kYoloV8, 0.7); }},
};

}  // namespace

Result<ProcessingSpec> processing_preset(const std::string& name) {
  for (const auto& p : kPresets) {
    if (name == p.name) return p.make();
  }
  std::string names;
  for (const auto& p : kPresets) names += std::string(names.empty() ? "" : ", ") + p.name;
  return invalid_argument("unknown preset \"" + name + "\" (" + names + ")");
}

std::vector<std::string> processing_preset_names() {
  std::vector<std::string> out;
  for (const auto& p : kPresets) out.push_back(p.name);
  return out;
}

}  // namespace fogline::processing
