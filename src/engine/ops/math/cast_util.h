// Element conversion shared by Cast and CastLike: every numeric type, bool and string.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {

namespace cast_detail {

template <typename S>
std::string to_text(S v) {
  if constexpr (std::is_same_v<S, bool>) {
    return v ? "1" : "0";
  } else if constexpr (std::is_floating_point_v<S>) {
    // ONNX spells the specials as Cast's string parser accepts them back.
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "INF" : "-INF";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
    return std::string(buf, r.ptr);
  } else {
    return std::to_string(v);
  }
}

// Float -> integer saturates (and NaN gives 0) because the plain conversion is undefined
// behaviour out of range.
template <typename D, typename S>
D number_to(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<S>) {
    if (std::isnan(v)) return D(0);
    if (v >= static_cast<S>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    if (v <= static_cast<S>(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    return static_cast<D>(v);
  } else {
    return static_cast<D>(v);
  }
}

template <typename D>
D from_text(const std::string& s) {
  if constexpr (std::is_same_v<D, bool>) {
    // Numeric text: non-zero is true; "true"/"false" too, for convenience.
    if (s == "true" || s == "True") return true;
    return std::strtod(s.c_str(), nullptr) != 0.0;
  } else if constexpr (std::is_floating_point_v<D>) {
    // strtod accepts "NaN", "INF", "+INF", "-INF" and is not locale-sensitive for "C" digits.
    return static_cast<D>(std::strtod(s.c_str(), nullptr));
  } else {
    return number_to<D>(static_cast<long double>(std::strtold(s.c_str(), nullptr)));
  }
}

}  // namespace cast_detail

// Converts every element of `x` into `y` (same element count, y already allocated with `to`).
inline Status cast_tensor(const Tensor& x, Tensor& y, const char* op, int threads) {
  const int64_t n = x.numel();
  return dispatch_types<FOGLINE_ALL_TYPES, std::string>(x.dtype(), op, [&]<typename T>() -> Status {
    return dispatch_types<FOGLINE_ALL_TYPES, std::string>(y.dtype(), op, [&]<typename U>() -> Status {
      const T* in = x.data<T>();
      U* out = y.data<U>();
      if constexpr (std::is_same_v<T, U>) {
        for (int64_t i = 0; i < n; ++i) out[i] = in[i];
      } else if constexpr (std::is_same_v<U, std::string>) {
        for (int64_t i = 0; i < n; ++i) out[i] = cast_detail::to_text(static_cast<compute_t<T>>(in[i]));
      } else if constexpr (std::is_same_v<T, std::string>) {
        for (int64_t i = 0; i < n; ++i) out[i] = U(cast_detail::from_text<compute_t<U>>(in[i]));
      } else {
        using S = compute_t<T>;
        using D = compute_t<U>;
#pragma omp parallel for if (n > 65536) num_threads(threads)
        for (int64_t i = 0; i < n; ++i) out[i] = U(cast_detail::number_to<D>(static_cast<S>(in[i])));
      }
      return Status::ok();
    });
  });
}

// ONNX TensorProto.DataType numbers the engine can hold.
inline bool cast_target_known(int64_t t) {
  return t > 0 && dtype_is_known(static_cast<int32_t>(t)) && dtype_size(static_cast<DataType>(t)) > 0;
}

}  // namespace fogline::engine::ops
