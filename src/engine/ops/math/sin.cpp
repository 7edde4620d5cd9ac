#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Sin, "Sin", 1, std::sin(x), FOGLINE_FLOAT_TYPES);
}
