#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Neg, "Neg", 1, C(-x), FOGLINE_FLOAT_TYPES, int8_t, int16_t, int32_t, int64_t);
}
