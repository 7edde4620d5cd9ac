#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(Tanh, "Tanh", 0.0f, 0.0f, 0.0f, std::tanh(x), FOGLINE_FLOAT_TYPES);
}
