// Helpers for ops that move elements without looking at their values (Transpose, Concat,
// Gather, Slice, Pad, ...). They work on any element type by copying it as an unsigned
// integer of the same width, or as std::string for string tensors, so one kernel body serves
// every dtype.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {

// Calls fn.template operator()<T>() with T a type of the element's width (uint8_t .. uint64_t)
// or std::string.
template <typename Fn>
Status dispatch_by_width(DataType dtype, const char* op, Fn&& fn) {
  if (dtype == DataType::kString) return fn.template operator()<std::string>();
  switch (dtype_size(dtype)) {
    case 1: return fn.template operator()<uint8_t>();
    case 2: return fn.template operator()<uint16_t>();
    case 4: return fn.template operator()<uint32_t>();
    case 8: return fn.template operator()<uint64_t>();
    default: break;
  }
  return unsupported(std::string(op) + " does not support element type " + dtype_name(dtype));
}

// Input i, or an error naming the node when the model left a required input out.
inline Result<const Tensor*> required_input(const KernelContext& ctx, int i) {
  if (const Tensor* t = ctx.input(i)) return t;
  return invalid_argument(ctx.node().describe() + " is missing its required input " + std::to_string(i));
}

// `const Tensor& var = input i`, returning an error when it is absent.
#define FOGLINE_REQUIRED_INPUT(var, ctx, i)                                            \
  FOGLINE_ASSIGN_OR_RETURN(const ::fogline::engine::Tensor* var##_input_,              \
                           ::fogline::engine::ops::required_input(ctx, i));            \
  const ::fogline::engine::Tensor& var = *var##_input_

// Row-major strides (in elements) of `shape`.
inline std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// Copies n elements; strings are assigned, everything else is memcpy'd.
template <typename T>
inline void copy_elements(const T* src, T* dst, int64_t n) {
  if constexpr (std::is_same_v<T, std::string>) {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
  } else {
    if (n > 0) std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(T));
  }
}

// Copies a whole tensor's elements into `dst` (same element count and type).
inline void copy_tensor_data(const Tensor& src, Tensor* dst) {
  if (src.dtype() == DataType::kString) {
    copy_elements(src.data<std::string>(), dst->data<std::string>(), src.numel());
  } else if (src.nbytes()) {
    std::memcpy(dst->raw(), src.raw(), src.nbytes());
  }
}

// Allocates output 0 with `shape` and copies x's elements into it (Squeeze, Flatten, ...).
inline Status copy_to_output(KernelContext& ctx, const Tensor& x, const Shape& shape) {
  FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), shape));
  copy_tensor_data(x, y);
  return Status::ok();
}

// Reads an optional integer input (axes, pads, ...) or falls back to an attribute: opsets moved
// many attributes to inputs, and a factory passes `from_input` by opset.
inline Result<std::vector<int64_t>> ints_from_input_or_attr(const KernelContext& ctx, int input,
                                                            const std::vector<int64_t>& attr,
                                                            const std::string& what) {
  if (const Tensor* t = ctx.input(input)) return read_int64s(*t, what);
  return attr;
}

// Normalises a list of axes for `rank`, rejecting out-of-range and repeated entries.
inline Result<std::vector<int>> normalize_axes(const std::vector<int64_t>& axes, int rank,
                                               const std::string& op) {
  std::vector<int> out;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    int64_t n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) {
      return invalid_argument(op + " axis " + std::to_string(a) + " is out of range for rank " +
                              std::to_string(rank));
    }
    if (seen[static_cast<size_t>(n)]) {
      return invalid_argument(op + " axis " + std::to_string(a) + " is repeated");
    }
    seen[static_cast<size_t>(n)] = true;
    out.push_back(static_cast<int>(n));
  }
  return out;
}

// Reads an integer index tensor element (int32 or int64) and maps negatives by `dim`; returns
// false when it is out of [-dim, dim).
inline bool fix_index(int64_t& idx, int64_t dim) {
  if (idx < 0) idx += dim;
  return idx >= 0 && idx < dim;
}

inline Status check_index_type(const Tensor& t, const std::string& what) {
  if (t.dtype() != DataType::kInt64 && t.dtype() != DataType::kInt32) {
    return invalid_argument(what + " must be int32 or int64, got " + dtype_name(t.dtype()));
  }
  return Status::ok();
}

// Index i of an int32/int64 tensor as int64 (checked with check_index_type first).
inline int64_t index_at(const Tensor& t, int64_t i) {
  return t.dtype() == DataType::kInt64 ? t.data<int64_t>()[i] : t.data<int32_t>()[i];
}

// strided_copy for when source dim `q` has stride 1 but the output's last dim does not: walks
// [q, last] in square tiles. `dims`/`st` are already coalesced.
template <typename T>
void tiled_transpose_copy(const T* src, const Shape& dims, const std::vector<int64_t>& st, int q, T* dst,
                          int threads) {
  constexpr int64_t kTile = 16;
  const int rank = static_cast<int>(dims.size());
  const std::vector<int64_t> out_st = contiguous_strides(dims);
  const int64_t nq = dims[static_cast<size_t>(q)], ni = dims.back();
  const int64_t s_i = st.back(), o_q = out_st[static_cast<size_t>(q)];
  int64_t others = 1;
  for (int d = 0; d + 1 < rank; ++d) {
    if (d != q) others *= dims[static_cast<size_t>(d)];
  }
  const int64_t q_tiles = (nq + kTile - 1) / kTile;
  const int64_t tasks = others * q_tiles;
#pragma omp parallel for if (others * nq * ni > 32768 && tasks > 1) num_threads(threads)
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t rem = t / q_tiles;
    const int64_t q0 = (t % q_tiles) * kTile;
    const int64_t q1 = std::min(nq, q0 + kTile);
    int64_t s_off = 0, d_off = 0;
    for (int d = rank - 2; d >= 0; --d) {
      if (d == q) continue;
      const int64_t n = dims[static_cast<size_t>(d)];
      const int64_t c = rem % n;
      rem /= n;
      s_off += c * st[static_cast<size_t>(d)];
      d_off += c * out_st[static_cast<size_t>(d)];
    }
    for (int64_t i0 = 0; i0 < ni; i0 += kTile) {
      const int64_t i1 = std::min(ni, i0 + kTile);
      for (int64_t a = q0; a < q1; ++a) {
        const T* in = src + s_off + a;
        T* out = dst + d_off + a * o_q;
        for (int64_t i = i0; i < i1; ++i) out[i] = in[i * s_i];
      }
    }
  }
}

// Fills the contiguous `dst` (of shape `shape`) from `src + offset` read with per-dimension
// element strides `strides` (0 broadcasts, negative walks backwards). Transpose, Slice, Expand
// and friends are all this with different strides.
template <typename T>
void strided_copy(const T* src, int64_t offset, Shape shape, std::vector<int64_t> strides, T* dst,
                  int threads) {
  // Drop unit dims and merge dims that are contiguous in the source, so the inner loop is long.
  Shape dims;
  std::vector<int64_t> st;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) return;
    if (shape[i] == 1) continue;
    if (!dims.empty() && st.back() == strides[i] * shape[i]) {
      dims.back() *= shape[i];
      st.back() = strides[i];
    } else {
      dims.push_back(shape[i]);
      st.push_back(strides[i]);
    }
  }
  if (dims.empty()) {
    dst[0] = src[offset];
    return;
  }
  const int rank = static_cast<int>(dims.size());
  const int64_t inner = dims.back();
  const int64_t inner_stride = st.back();
  if (inner_stride != 1 && inner >= 8) {
    // A real transpose (the source's contiguous dim is not the output's): copy in tiles so
    // that both sides stay in cache.
    for (int q = 0; q + 1 < rank; ++q) {
      if (st[static_cast<size_t>(q)] == 1 && dims[static_cast<size_t>(q)] >= 8) {
        tiled_transpose_copy(src + offset, dims, st, q, dst, threads);
        return;
      }
    }
  }
  int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= dims[static_cast<size_t>(d)];
#pragma omp parallel for if (rows * inner > 32768 && rows > 1) num_threads(threads)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t off = offset;
    int64_t rem = r;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t n = dims[static_cast<size_t>(d)];
      off += (rem % n) * st[static_cast<size_t>(d)];
      rem /= n;
    }
    T* out = dst + r * inner;
    const T* in = src + off;
    if (inner_stride == 1) {
      copy_elements(in, out, inner);
    } else {
      for (int64_t j = 0; j < inner; ++j) out[j] = in[j * inner_stride];
    }
  }
}

}  // namespace fogline::engine::ops
