#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Asinh, "Asinh", 1, std::asinh(x), FOGLINE_FLOAT_TYPES);
}
