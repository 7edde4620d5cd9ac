#include "engine/ops/math/variadic.h"
namespace fogline::engine::ops {
FOGLINE_VARIADIC_OP(Mean, "Mean", acc + v, acc / static_cast<C>(count), FOGLINE_NUMERIC_TYPES);
}
