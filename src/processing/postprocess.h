// Postprocessing: model outputs to class scores or to boxes on the original image. Detection
// decoders (YOLOX grids, YOLOv5/v8 heads, boxes+scores outputs) produce candidates in input
// pixels; then a score threshold, class-wise NMS, a cap on the number of detections, and the
// inverse of the preprocessing transform (letterbox or crop) back to original pixels.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/tensor.h"
#include "processing/preprocess.h"
#include "processing/processing_spec.h"

namespace fogline::processing {

struct Detection {
  int class_index = 0;
  float score = 0;
  double x = 0, y = 0, w = 0, h = 0;  // top-left corner and size, pixels
};

// Softmax over the last dimension when the spec asks; returns one score per class (after
// label_offset). Accepts [C], [1, C] or [1, C, 1, 1].
Result<std::vector<float>> classification_scores(const engine::Tensor& output, const PostprocessSpec& spec);

// Greedy NMS, highest score first: drops a box whose IoU with a kept box of the same class
// (any class when `class_agnostic`) exceeds `iou_threshold`; keeps at most `max_keep`.
std::vector<Detection> non_max_suppression(std::vector<Detection> candidates, double iou_threshold, bool class_agnostic,
                                           int max_keep);

// Decodes the detector's outputs (in the model's output order, with their names) and maps the
// kept boxes onto the original image (clipped to it).
Result<std::vector<Detection>> decode_detections(const std::vector<engine::Tensor>& outputs,
                                                 const std::vector<std::string>& output_names,
                                                 const PostprocessSpec& spec, const ImageTransform& transform);

}  // namespace fogline::processing
