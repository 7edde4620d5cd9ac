// The `reduction` attribute shared by ScatterElements and ScatterND (opset 16: none/add/mul,
// opset 18: max/min): how an update combines with the value already at its position.
#pragma once

#include <string>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {

enum class ScatterReduction { kNone, kAdd, kMul, kMax, kMin };

inline Result<ScatterReduction> parse_scatter_reduction(const std::string& op, const std::string& s) {
  if (s == "none") return ScatterReduction::kNone;
  if (s == "add") return ScatterReduction::kAdd;
  if (s == "mul") return ScatterReduction::kMul;
  if (s == "max") return ScatterReduction::kMax;
  if (s == "min") return ScatterReduction::kMin;
  return invalid_argument(op + " reduction '" + s + "' is not none, add, mul, max or min");
}

// Combines `update` into `*dst` (T is the storage type; arithmetic in compute_t<T>).
template <typename T>
inline void scatter_combine(ScatterReduction r, T* dst, const T& update) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
    *dst = update;  // only `none` is offered for these types (checked by the kernel)
  } else {
    using C = compute_t<T>;
    const C a = static_cast<C>(*dst), b = static_cast<C>(update);
    switch (r) {
      case ScatterReduction::kNone: *dst = update; return;
      case ScatterReduction::kAdd: *dst = T(a + b); return;
      case ScatterReduction::kMul: *dst = T(a * b); return;
      case ScatterReduction::kMax: *dst = T(b > a ? b : a); return;
      case ScatterReduction::kMin: *dst = T(b < a ? b : a); return;
    }
  }
}

#define FOGLINE_SCATTER_TYPES FOGLINE_ALL_TYPES, std::string

}  // namespace fogline::engine::ops
