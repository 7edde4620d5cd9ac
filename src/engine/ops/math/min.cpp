#include "engine/ops/math/variadic.h"
namespace fogline::engine::ops {
// NaN propagates, as numpy.minimum does.
FOGLINE_VARIADIC_OP(Min, "Min", (v < acc || v != v) ? v : acc, acc, FOGLINE_NUMERIC_TYPES);
}
