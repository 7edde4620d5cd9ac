#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(HardSwish, "HardSwish", 0.0f, 0.0f, 0.0f,
                       x * std::max(C(0), std::min(C(1), C(x / C(6) + C(0.5)))), FOGLINE_FLOAT_TYPES);
}
