#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
// Split by sign so exp never overflows.
FOGLINE_PARAM_UNARY_OP(Sigmoid, "Sigmoid", 0.0f, 0.0f, 0.0f,
                       x >= C(0) ? C(1) / (C(1) + std::exp(-x)) : std::exp(x) / (C(1) + std::exp(x)), FOGLINE_FLOAT_TYPES);
}
