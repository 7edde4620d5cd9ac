#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Ceil, "Ceil", 1, std::ceil(x), FOGLINE_FLOAT_TYPES);
}
