#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Cosh, "Cosh", 1, std::cosh(x), FOGLINE_FLOAT_TYPES);
}
