#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_BINARY_OP_OUT(Greater, "Greater", bool, a > b, FOGLINE_NUMERIC_TYPES);
}
