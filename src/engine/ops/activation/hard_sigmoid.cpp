#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(HardSigmoid, "HardSigmoid", 0.2f, 0.5f, 0.0f,
                       std::max(C(0), std::min(C(1), C(a * x + b))), FOGLINE_FLOAT_TYPES);
}
