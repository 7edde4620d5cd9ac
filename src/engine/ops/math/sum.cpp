#include "engine/ops/math/variadic.h"
namespace fogline::engine::ops {
FOGLINE_VARIADIC_OP(Sum, "Sum", acc + v, acc, FOGLINE_NUMERIC_TYPES);
}
