#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
// max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
FOGLINE_PARAM_UNARY_OP(Celu, "Celu", 1.0f, 0.0f, 0.0f, x > C(0) ? x : C(a * (std::exp(x / a) - C(1))), FOGLINE_FLOAT_TYPES);
}
