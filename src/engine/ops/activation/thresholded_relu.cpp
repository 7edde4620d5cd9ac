#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(ThresholdedRelu, "ThresholdedRelu", 1.0f, 0.0f, 0.0f, x > a ? x : C(0), FOGLINE_FLOAT_TYPES);
}
