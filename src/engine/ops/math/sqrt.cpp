#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Sqrt, "Sqrt", 1, std::sqrt(x), FOGLINE_FLOAT_TYPES);
}
