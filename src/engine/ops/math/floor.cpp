#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Floor, "Floor", 1, std::floor(x), FOGLINE_FLOAT_TYPES);
}
