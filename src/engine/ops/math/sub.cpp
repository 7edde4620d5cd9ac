#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_BINARY_OP(Sub, "Sub", a - b, FOGLINE_NUMERIC_TYPES);
}
