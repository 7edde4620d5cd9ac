#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Log, "Log", 1, std::log(x), FOGLINE_FLOAT_TYPES);
}
