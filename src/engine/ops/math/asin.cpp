#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Asin, "Asin", 1, std::asin(x), FOGLINE_FLOAT_TYPES);
}
