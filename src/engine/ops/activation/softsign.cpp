#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(Softsign, "Softsign", 0.0f, 0.0f, 0.0f, x / (C(1) + std::fabs(x)), FOGLINE_FLOAT_TYPES);
}
