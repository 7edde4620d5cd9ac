#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
// ONNX rounds halves to even, which is nearbyint under the default rounding mode.
FOGLINE_UNARY_OP_TYPES(Round, "Round", 11, std::nearbyint(x), FOGLINE_FLOAT_TYPES);
}
