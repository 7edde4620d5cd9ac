#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_BINARY_OP(Mul, "Mul", a * b, FOGLINE_NUMERIC_TYPES);
}
