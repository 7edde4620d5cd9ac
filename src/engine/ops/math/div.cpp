#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
// Integer division by zero is undefined in ONNX; we return 0 rather than crash.
FOGLINE_BINARY_OP(Div, "Div", (std::is_integral_v<C> && b == C(0)) ? C(0) : C(a / b), FOGLINE_NUMERIC_TYPES);
}
