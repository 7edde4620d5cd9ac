#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Acos, "Acos", 1, std::acos(x), FOGLINE_FLOAT_TYPES);
}
