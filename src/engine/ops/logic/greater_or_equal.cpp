#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_BINARY_OP_OUT(GreaterOrEqual, "GreaterOrEqual", bool, a >= b, FOGLINE_NUMERIC_TYPES);
}
