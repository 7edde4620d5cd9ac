#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
// log(1 + exp(x)) written so that large |x| neither overflows nor loses precision.
FOGLINE_PARAM_UNARY_OP(Softplus, "Softplus", 0.0f, 0.0f, 0.0f,
                       x > C(0) ? C(x + std::log1p(std::exp(-x))) : C(std::log1p(std::exp(x))), FOGLINE_FLOAT_TYPES);
}
