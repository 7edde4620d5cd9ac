#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Atan, "Atan", 1, std::atan(x), FOGLINE_FLOAT_TYPES);
}
