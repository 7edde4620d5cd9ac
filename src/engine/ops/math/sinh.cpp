#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Sinh, "Sinh", 1, std::sinh(x), FOGLINE_FLOAT_TYPES);
}
