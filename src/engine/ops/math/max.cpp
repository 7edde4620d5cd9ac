#include "engine/ops/math/variadic.h"
namespace fogline::engine::ops {
// NaN propagates, as numpy.maximum does.
FOGLINE_VARIADIC_OP(Max, "Max", (v > acc || v != v) ? v : acc, acc, FOGLINE_NUMERIC_TYPES);
}
