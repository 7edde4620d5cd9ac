// Named processing specs for model families whose recipes are well known, so `fogline eval
// model.onnx data --preset yolox` needs no flags. Each is a starting point: --spec and flags
// override any field. The input size stays 0 (taken from the model) unless the recipe fixes it.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "processing/processing_spec.h"

namespace fogline::processing {

// imagenet (shorter side 256, centre crop 224, RGB, ImageNet mean/std, softmax), yolox (BGR
// 0..255, letterbox top-left fill 114, grid decoder), yolov5 / yolov8 (RGB 0..1, centred
// letterbox fill 114, their heads); detectors use COCO-evaluation thresholds (score 0.001).
Result<ProcessingSpec> processing_preset(const std::string& name);
std::vector<std::string> processing_preset_names();

}  // namespace fogline::processing
