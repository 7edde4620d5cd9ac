#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Tan, "Tan", 1, std::tan(x), FOGLINE_FLOAT_TYPES);
}
