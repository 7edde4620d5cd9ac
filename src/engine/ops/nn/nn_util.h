// Shared pieces of the reference nn kernels: a plain blocked GEMM, float-compute buffers for
// half types, and the spatial geometry (pads / strides / dilations / auto_pad) of conv and pool.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops::nn {

// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C. With beta == 0, C is only written
// (it may be uninitialised). Row-major, leading dimensions as in BLAS.
template <typename C>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, C alpha, const C* A,
          int64_t lda, const C* B, int64_t ldb, C beta, C* Cm, int64_t ldc, int threads) {
  if (M <= 0 || N <= 0) return;
  // Make A row-major M x K so both kernels below read it contiguously.
  std::vector<C> a_packed;
  if (trans_a) {
    a_packed.resize(static_cast<size_t>(M * K));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t i = 0; i < M; ++i) a_packed[static_cast<size_t>(i * K + k)] = A[k * lda + i];
    A = a_packed.data();
    lda = K;
  }
  const bool big = M * N * K > 32768;
  if (trans_b) {
    // B is N x K: every output is a dot product of two contiguous rows.
#pragma omp parallel for collapse(2) if (big) num_threads(threads) schedule(static)
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        const C* a = A + i * lda;
        const C* b = B + j * ldb;
        C s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t k = 0; k < K; ++k) s += a[k] * b[k];
        C* c = Cm + i * ldc + j;
        *c = beta == C(0) ? alpha * s : alpha * s + beta * *c;
      }
    }
    return;
  }
  // B is K x N: tiles of 4 rows x 256 columns accumulate rank-1 updates, so each stretch of a
  // B row is loaded once per 4 output rows.
  constexpr int64_t kRows = 4, kCols = 256;
  const int64_t row_tiles = (M + kRows - 1) / kRows;
  const int64_t col_tiles = (N + kCols - 1) / kCols;
#pragma omp parallel for collapse(2) if (big) num_threads(threads) schedule(static)
  for (int64_t rt = 0; rt < row_tiles; ++rt) {
    for (int64_t ct = 0; ct < col_tiles; ++ct) {
      const int64_t i0 = rt * kRows, j0 = ct * kCols;
      const int64_t rows = std::min(kRows, M - i0), cols = std::min(kCols, N - j0);
      C acc[kRows][kCols];
      for (int64_t r = 0; r < kRows; ++r)
        for (int64_t j = 0; j < cols; ++j) acc[r][j] = 0;
      for (int64_t k = 0; k < K; ++k) {
        const C* b = B + k * ldb + j0;
        for (int64_t r = 0; r < rows; ++r) {
          const C a = A[(i0 + r) * lda + k];
          C* ar = acc[r];
#pragma omp simd
          for (int64_t j = 0; j < cols; ++j) ar[j] += a * b[j];
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        C* c = Cm + (i0 + r) * ldc + j0;
        if (beta == C(0)) {
          for (int64_t j = 0; j < cols; ++j) c[j] = alpha * acc[r][j];
        } else {
          for (int64_t j = 0; j < cols; ++j) c[j] = alpha * acc[r][j] + beta * c[j];
        }
      }
    }
  }
}

// Input data in the compute type: a pointer into the tensor when T already is the compute
// type, else a converted copy held in `store`.
template <typename T>
const compute_t<T>* compute_data(const Tensor& t, std::vector<compute_t<T>>& store) {
  using C = compute_t<T>;
  if constexpr (std::is_same_v<T, C>) {
    return t.data<T>();
  } else {
    store.resize(static_cast<size_t>(t.numel()));
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) store[static_cast<size_t>(i)] = static_cast<C>(p[i]);
    return store.data();
  }
}

// Output buffer in the compute type: the tensor itself, or `store` to copy back with
// store_output once done.
template <typename T>
compute_t<T>* compute_output(Tensor& t, std::vector<compute_t<T>>& store) {
  using C = compute_t<T>;
  if constexpr (std::is_same_v<T, C>) {
    return t.data<T>();
  } else {
    store.assign(static_cast<size_t>(t.numel()), C(0));
    return store.data();
  }
}
template <typename T>
void store_output(Tensor& t, const std::vector<compute_t<T>>& store) {
  if constexpr (!std::is_same_v<T, compute_t<T>>) {
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = T(store[static_cast<size_t>(i)]);
  }
}

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

Result<AutoPad> parse_auto_pad(const Attributes& attrs);

// Kernel window attributes of Conv / pools, checked against the spatial rank at run time.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;
};

// Reads kernel_shape/strides/dilations/pads/auto_pad/ceil_mode (kernel may be empty: from W).
Result<Window> read_window(const Attributes& attrs);

// Fills defaults for `spatial` dims, validates, resolves auto_pad and returns the output sizes.
// `op` names the op in error messages.
Result<std::vector<int64_t>> resolve_window(Window& w, const std::vector<int64_t>& in, const char* op);

// Iterates over an N-D index space (row-major); returns false once past the end.
inline bool next_index(std::vector<int64_t>& idx, const std::vector<int64_t>& dims) {
  for (size_t d = dims.size(); d-- > 0;) {
    if (++idx[d] < dims[d]) return true;
    idx[d] = 0;
  }
  return false;
}

}  // namespace fogline::engine::ops::nn
