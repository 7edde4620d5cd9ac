#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(LeakyRelu, "LeakyRelu", 0.01f, 0.0f, 0.0f, x < C(0) ? C(a * x) : x, FOGLINE_FLOAT_TYPES);
}
