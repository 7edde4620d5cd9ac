#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Acosh, "Acosh", 1, std::acosh(x), FOGLINE_FLOAT_TYPES);
}
