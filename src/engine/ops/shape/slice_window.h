// The region a Slice selects, with ONNX's clamping rules (numpy's): negative starts/ends count
// from the end, out-of-range ones clamp, negative steps walk backwards. Shared by the
// reference Slice and the oneDNN one, so both agree on every edge case.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {

struct SliceWindow {
  Shape out_shape;
  std::vector<int64_t> start;  // per input dim: first index taken (0 for unsliced dims)
  std::vector<int64_t> step;   // per input dim (1 for unsliced dims)
};

// `axes` empty means 0..n-1, `steps` empty means all 1.
Result<SliceWindow> slice_window(const Shape& in, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                                 std::vector<int64_t> axes, std::vector<int64_t> steps);

}  // namespace fogline::engine::ops
