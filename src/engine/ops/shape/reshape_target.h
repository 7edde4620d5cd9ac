// The shape a Reshape produces: 0 copies the input's dimension (unless allowzero), -1 is
// inferred. Shared by the Reshape kernel and the shape-propagation pass.
#pragma once

#include <vector>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {

Result<Shape> reshape_target(const Shape& in, const std::vector<int64_t>& spec, bool allowzero);

}  // namespace fogline::engine::ops
