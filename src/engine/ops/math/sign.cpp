#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
namespace {
template <typename C>
C sign_of(C x) {
  if constexpr (std::is_unsigned_v<C>) {
    return x > C(0) ? C(1) : C(0);
  } else {
    if (x != x) return x;  // NaN stays NaN
    return x > C(0) ? C(1) : (x < C(0) ? C(-1) : C(0));
  }
}
}  // namespace
FOGLINE_UNARY_OP_TYPES(Sign, "Sign", 9, sign_of(x), FOGLINE_NUMERIC_TYPES);
}
