// Helpers shared by kernels: axis normalisation, numpy broadcasting, type dispatch,
// reading shape tensors. Kept here so each op file stays about its op.
#pragma once

#include <array>
#include <cstdint>
#include <tuple>
#include <string>
#include <type_traits>
#include <vector>

#include "core/status.h"
#include "engine/kernel.h"
#include "engine/tensor.h"

namespace fogline::engine::ops {

// Maps a possibly negative axis into [0, rank); an error names the op's node.
Result<int> normalize_axis(int64_t axis, int rank, const KernelContext& ctx);

// Numpy-style broadcast of several shapes; an error names both shapes.
Result<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Strides of `in` as seen from an output of shape `out` (0 where `in` is broadcast).
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Calls fn(out_index, offset_0, offset_1, ...) for every element of `out`, with each input's
// element offset under broadcasting. Fast paths for equal shapes and scalars.
template <size_t N, typename Fn>
void for_each_broadcast(const Shape& out, const std::array<Shape, N>& ins, Fn&& fn);

// Reads a 1-D (or scalar) integer tensor (int32/int64) as int64s; shape inputs of Reshape etc.
Result<std::vector<int64_t>> read_int64s(const Tensor& t, const std::string& what);
Result<std::vector<float>> read_floats(const Tensor& t, const std::string& what);

// Type dispatch: calls fn.template operator()<T>() for the tensor's element type.
// Returns `unsupported` naming the type when it is not in the list.
template <typename... Ts, typename Fn>
Status dispatch_types(DataType dtype, const char* op, Fn&& fn);

#define FOGLINE_FLOAT_TYPES float, double, ::fogline::engine::Float16, ::fogline::engine::BFloat16
#define FOGLINE_INT_TYPES int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t
#define FOGLINE_NUMERIC_TYPES FOGLINE_FLOAT_TYPES, FOGLINE_INT_TYPES
#define FOGLINE_ALL_TYPES FOGLINE_NUMERIC_TYPES, bool

// For Float16/BFloat16, arithmetic happens in float.
template <typename T>
using compute_t = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;

// ---- implementations ----

template <size_t N, typename Fn>
void for_each_broadcast(const Shape& out, const std::array<Shape, N>& ins, Fn&& fn) {
  const int64_t total = numel(out);
  bool all_same = true;
  for (const Shape& s : ins) all_same = all_same && s == out;
  std::array<int64_t, N> off{};
  if (all_same) {
    for (int64_t i = 0; i < total; ++i) {
      off.fill(i);
      std::apply([&](auto... o) { fn(i, o...); }, off);
    }
    return;
  }
  const size_t rank = out.size();
  std::array<std::vector<int64_t>, N> strides;
  for (size_t k = 0; k < N; ++k) strides[k] = broadcast_strides(ins[k], out);
  std::vector<int64_t> idx(rank, 0);
  off.fill(0);
  for (int64_t i = 0; i < total; ++i) {
    std::apply([&](auto... o) { fn(i, o...); }, off);
    for (size_t d = rank; d-- > 0;) {
      idx[d]++;
      for (size_t k = 0; k < N; ++k) off[k] += strides[k][d];
      if (idx[d] < out[d]) break;
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}

namespace detail {
template <typename Fn, typename T, typename... Rest>
bool dispatch_one(DataType dtype, Fn& fn, Status& st) {
  if (dtype == DataTypeOf<T>::value) {
    st = fn.template operator()<T>();
    return true;
  }
  if constexpr (sizeof...(Rest) > 0) {
    return dispatch_one<Fn, Rest...>(dtype, fn, st);
  } else {
    return false;
  }
}
}  // namespace detail

template <typename... Ts, typename Fn>
Status dispatch_types(DataType dtype, const char* op, Fn&& fn) {
  Status st;
  if (!detail::dispatch_one<Fn, Ts...>(dtype, fn, st)) {
    return unsupported(std::string(op) + " does not support element type " + dtype_name(dtype));
  }
  return st;
}

}  // namespace fogline::engine::ops
