#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Atanh, "Atanh", 1, std::atanh(x), FOGLINE_FLOAT_TYPES);
}
