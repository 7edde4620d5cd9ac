#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Erf, "Erf", 1, std::erf(x), FOGLINE_NUMERIC_TYPES);
}
