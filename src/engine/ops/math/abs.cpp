#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
namespace {
// std::abs is ambiguous for unsigned types; they are their own absolute value.
template <typename C>
C abs_of(C x) {
  if constexpr (std::is_unsigned_v<C>) return x; else return x < C(0) ? C(-x) : x;
}
}  // namespace
FOGLINE_UNARY_OP_TYPES(Abs, "Abs", 1, abs_of(x), FOGLINE_NUMERIC_TYPES);
}
