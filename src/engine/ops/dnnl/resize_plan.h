// When oneDNN's resampling computes exactly what an ONNX Resize asks for, and with which
// algorithm. Shared by the oneDNN Resize kernel and the onednn-layout pass (which may only put
// a Resize into an NHWC region when this kernel will certainly run it).
#pragma once

#include <dnnl.hpp>

#include "engine/attributes.h"
#include "engine/tensor.h"

namespace fogline::engine::ops::dnnl_ops {

struct ResizePlan {
  dnnl::algorithm alg = dnnl::algorithm::resampling_nearest;
  Shape out;
};

// `scales` / `sizes`: Resize's constant inputs 2 and 3 (either may be null). Returns
// unsupported for everything oneDNN would compute differently:
// - nearest: integer upscale factors only (no ties, so every rounding mode agrees), with
//   half_pixel / pytorch_half_pixel, or asymmetric + floor;
// - linear: half_pixel (pytorch_half_pixel when every resized dim stays above 1), with the
//   output exactly input x scale so that both use the same ratio;
// - batch and channel dims unchanged; opset 11 to 17 (18 added antialias and axes).
Result<ResizePlan> plan_dnnl_resize(const Attributes& attrs, int opset, const Shape& in, const Tensor* scales,
                                    const Tensor* sizes);

}  // namespace fogline::engine::ops::dnnl_ops
