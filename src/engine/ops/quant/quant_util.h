// Shared pieces of the quantized ops: reading scales and zero points, and the one
// requantisation rule they all use,
//   q = saturate(round_half_to_even(real / scale) + zero_point),
// which is ONNX's QuantizeLinear and what ONNX Runtime's contrib ops document.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops::quant {

template <typename T>
constexpr bool is_q8_v = std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>;

inline bool is_q8(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

// saturate(round(v) + zp) into T, for v in the quantised domain (already divided by the
// scale). Clamping before rounding to [qmin - zp, qmax - zp] gives the same result as after
// (the bounds are integers) and keeps the value small; NaN goes to the lower bound.
template <typename T>
struct Requantizer {
  float lo, hi;
  int32_t zp;
  explicit Requantizer(int32_t zero_point)
      : lo(static_cast<float>(std::numeric_limits<T>::min()) - static_cast<float>(zero_point)),
        hi(static_cast<float>(std::numeric_limits<T>::max()) - static_cast<float>(zero_point)),
        zp(zero_point) {}
  T operator()(float v) const {
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    // Adding and subtracting 1.5 * 2^23 leaves the nearest integer, ties to even, for
    // |v| < 2^22 (clamped above, so always), in the default rounding mode, with no libm call.
    constexpr float kMagic = 12582912.0f;
    float r = (v + kMagic) - kMagic;
    return static_cast<T>(static_cast<int32_t>(r) + zp);
  }
  // dst[i] = (*this)((acc[i] + bias) * scale): the integer ops' epilogue. The members are
  // copied to locals because T stores may alias them, which would stop vectorisation.
  void requantize_row(const int32_t* __restrict acc, int32_t bias, float scale, T* __restrict dst, int64_t n) const {
    const float l = lo, h = hi;
    const int32_t z = zp;
    constexpr float kMagic = 12582912.0f;
    for (int64_t i = 0; i < n; ++i) {
      float v = static_cast<float>(acc[i] + bias) * scale;
      v = v > l ? v : l;
      v = v < h ? v : h;
      const float r = (v + kMagic) - kMagic;
      dst[i] = static_cast<T>(static_cast<int32_t>(r) + z);
    }
  }
  // dst[i] = (*this)(src[i] / scale): QuantizeLinear on float32, written so that it vectorises.
  void quantize_row(const float* __restrict src, float scale, T* __restrict dst, int64_t n) const {
    const float l = lo, h = hi;
    const int32_t z = zp;
    constexpr float kMagic = 12582912.0f;
    for (int64_t i = 0; i < n; ++i) {
      float v = src[i] / scale;
      v = v > l ? v : l;
      v = v < h ? v : h;
      const float r = (v + kMagic) - kMagic;
      dst[i] = static_cast<T>(static_cast<int32_t>(r) + z);
    }
  }
};

// A float scale tensor's values (float32/float16/bfloat16/double), checked to be finite.
inline Result<std::vector<float>> read_scales(const Tensor* t, const std::string& what) {
  if (!t) return invalid_argument(what + " is missing");
  if (!dtype_is_float(t->dtype())) {
    return invalid_argument(what + " must be a float tensor, got " + dtype_name(t->dtype()));
  }
  if (t->numel() == 0) return invalid_argument(what + " is empty");
  std::vector<float> v(static_cast<size_t>(t->numel()));
  for (int64_t i = 0; i < t->numel(); ++i) v[static_cast<size_t>(i)] = static_cast<float>(t->value_as_double(i));
  return v;
}

// A scale that must be a single value.
inline Result<float> read_scalar_scale(const Tensor* t, const std::string& what) {
  FOGLINE_ASSIGN_OR_RETURN(std::vector<float> v, read_scales(t, what));
  if (v.size() != 1) {
    return invalid_argument(what + " must be a scalar, got shape " + shape_to_string(t->shape()));
  }
  return v[0];
}

// Zero points as int32 (0 when the optional input is absent). `expected` is the element type
// the zero point must share with its tensor (kUndefined: any integer type).
inline Result<std::vector<int32_t>> read_zero_points(const Tensor* t, DataType expected, const std::string& what) {
  if (!t) return std::vector<int32_t>{0};
  if (expected != DataType::kUndefined && t->dtype() != expected) {
    return invalid_argument(what + " must be " + dtype_name(expected) + " like its tensor, got " +
                            dtype_name(t->dtype()));
  }
  if (dtype_is_float(t->dtype()) || t->dtype() == DataType::kBool || t->dtype() == DataType::kString) {
    return invalid_argument(what + " must be an integer tensor, got " + dtype_name(t->dtype()));
  }
  if (t->numel() == 0) return invalid_argument(what + " is empty");
  std::vector<int32_t> v(static_cast<size_t>(t->numel()));
  for (int64_t i = 0; i < t->numel(); ++i) v[static_cast<size_t>(i)] = static_cast<int32_t>(t->value_as_int(i));
  return v;
}

inline Result<int32_t> read_scalar_zero_point(const Tensor* t, DataType expected, const std::string& what) {
  FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> v, read_zero_points(t, expected, what));
  if (v.size() != 1) {
    return invalid_argument(what + " must be a scalar, got shape " + shape_to_string(t->shape()));
  }
  return v[0];
}

// Expands a per-tensor (1 value) or per-channel (n values) parameter to n values.
template <typename V>
Result<std::vector<V>> expand_param(std::vector<V> v, int64_t n, const std::string& what) {
  if (v.size() == 1) return std::vector<V>(static_cast<size_t>(n), v[0]);
  if (static_cast<int64_t>(v.size()) != n) {
    return invalid_argument(what + " must have 1 or " + std::to_string(n) + " values, got " +
                            std::to_string(v.size()));
  }
  return v;
}

inline Status check_positive_scales(const std::vector<float>& s, const std::string& what) {
  for (float v : s) {
    if (!(v > 0) || !std::isfinite(v)) {
      return invalid_argument(what + " must be positive and finite, got " + std::to_string(v));
    }
  }
  return Status::ok();
}

// The real-valued clamp of a QLinearConv's fused Relu / Clip post-ops (the qdq-to-qlinear
// pass puts them there): {lo, hi}, +-inf when absent; unsupported for any other post-op.
inline Result<std::pair<float, float>> clamp_bounds(const std::vector<PostOp>& post) {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  for (const PostOp& p : post) {
    if (p.kind == PostOp::Kind::kRelu) {
      lo = std::max(lo, 0.0f);
    } else if (p.kind == PostOp::Kind::kClip && p.alpha <= p.beta) {
      lo = std::max(lo, p.alpha);
      hi = std::min(hi, p.beta);
    } else {
      return unsupported("an 8-bit op takes only Relu / Clip post-ops");
    }
  }
  if (!(lo <= hi)) return unsupported("fused clamps with an empty range");
  return std::pair<float, float>{lo, hi};
}

// The 256-entry table of an 8-bit unary op (x -> dequantize -> f -> quantize); the contrib ops
// on a single 8-bit input are all this, and ONNX Runtime computes them the same way.
template <typename T, typename F>
std::vector<T> build_lut(float x_scale, int32_t x_zp, float y_scale, int32_t y_zp, F&& f) {
  std::vector<T> lut(256);
  Requantizer<T> rq(y_zp);
  for (int i = 0; i < 256; ++i) {
    const T q = static_cast<T>(std::numeric_limits<T>::min() + i);
    const float real = x_scale * static_cast<float>(static_cast<int32_t>(q) - x_zp);
    lut[static_cast<size_t>(i)] = rq(f(real) / y_scale);
  }
  return lut;
}

template <typename T>
inline size_t lut_index(T v) {
  return static_cast<size_t>(static_cast<int32_t>(v) - static_cast<int32_t>(std::numeric_limits<T>::min()));
}

}  // namespace fogline::engine::ops::quant
