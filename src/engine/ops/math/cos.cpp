#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Cos, "Cos", 1, std::cos(x), FOGLINE_FLOAT_TYPES);
}
