#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Reciprocal, "Reciprocal", 1, C(1) / x, FOGLINE_FLOAT_TYPES);
}
