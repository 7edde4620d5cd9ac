// Preprocessing: a decoded image (OpenCV BGR, 8-bit) to the model's input tensor, following a
// PreprocessSpec, and the geometric transform it applied so boxes predicted on the input can be
// mapped back onto the original image.
#pragma once

#include <opencv2/core.hpp>

#include <string>

#include "core/status.h"
#include "engine/tensor.h"
#include "processing/processing_spec.h"

namespace fogline::processing {

// input = original * scale + offset (per axis), for box coordinates in pixels.
struct ImageTransform {
  int original_width = 0, original_height = 0;
  int input_width = 0, input_height = 0;
  double scale_x = 1, scale_y = 1;
  double offset_x = 0, offset_y = 0;
  double to_original_x(double x) const { return (x - offset_x) / scale_x; }
  double to_original_y(double y) const { return (y - offset_y) / scale_y; }
};

struct PreprocessedImage {
  engine::Tensor tensor;  // [1, 3, H, W] or [1, H, W, 3]
  ImageTransform transform;
};

// `spec` must have its size set (width, height > 0).
Result<PreprocessedImage> preprocess_image(const cv::Mat& bgr, const PreprocessSpec& spec);
// Decodes the file with OpenCV first; an error names the file.
Result<PreprocessedImage> preprocess_file(const std::string& path, const PreprocessSpec& spec);

}  // namespace fogline::processing
