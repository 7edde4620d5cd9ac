#include "engine/ops/math/legacy_broadcast.h"
namespace fogline::engine::ops {
namespace {
// Integer division by zero is undefined in ONNX; we return 0 rather than trap. INT_MIN / -1
// also traps on x86, so dividing by -1 is negation (wrapping, as the hardware would).
template <typename C>
C divide(C a, C b) {
  if constexpr (std::is_integral_v<C>) {
    if (b == C(0)) return C(0);
    if constexpr (std::is_signed_v<C>) {
      using U = std::make_unsigned_t<C>;
      if (b == C(-1)) return static_cast<C>(U(0) - static_cast<U>(a));
    }
  }
  return static_cast<C>(a / b);
}
}  // namespace
FOGLINE_LEGACY_BINARY_OP(Div, "Div", void, divide(a, b), FOGLINE_NUMERIC_TYPES);
}
