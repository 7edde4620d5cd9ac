// Resize / Upsample as separable 1-D passes: for every resized axis, each output index reads
// a few input indices with weights (nearest: 1, linear: 2, cubic: 4). Linear and cubic
// interpolation are tensor products of 1-D kernels, so axis-by-axis passes give the N-D result.
#pragma once

#include <string>

#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {

struct ResizeOptions {
  enum class Mode { kNearest, kLinear, kCubic } mode = Mode::kNearest;
  std::string coordinate_mode = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0.0;
};

// Taps of one axis: output index j reads idx[j*ntaps + t] with weight w[j*ntaps + t], or is
// `extrapolation_value` when outside[j] (tf_crop_and_resize beyond the image).
struct AxisTaps {
  int ntaps = 1;
  std::vector<int64_t> idx;
  std::vector<double> w;
  std::vector<char> outside;
  bool identity = false;
};

Result<AxisTaps> make_axis_taps(const ResizeOptions& o, int64_t in, int64_t out, double scale, double roi_start,
                                double roi_end);

// Resizes x (shape `in`) to `out` with the given per-axis scales and roi (2*rank values or
// empty), writing y (already allocated with shape `out`).
Status resize_tensor(const ResizeOptions& o, const Tensor& x, const Shape& out, const std::vector<double>& scales,
                     const std::vector<double>& roi, Tensor& y, int threads);

Result<ResizeOptions::Mode> parse_resize_mode(const std::string& mode);

}  // namespace fogline::engine::ops::nn
