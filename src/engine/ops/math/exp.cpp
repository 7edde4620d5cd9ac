#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Exp, "Exp", 1, std::exp(x), FOGLINE_FLOAT_TYPES);
}
