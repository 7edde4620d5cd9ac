#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_UNARY_OP_TYPES(Relu, "Relu", 1, x > C(0) ? x : C(0), FOGLINE_FLOAT_TYPES, int8_t, int16_t, int32_t, int64_t);
}
