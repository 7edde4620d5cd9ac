#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(Elu, "Elu", 1.0f, 0.0f, 0.0f, x < C(0) ? C(a * (std::exp(x) - C(1))) : x, FOGLINE_FLOAT_TYPES);
}
