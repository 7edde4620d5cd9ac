// The integer matrix product shared by MatMulInteger and QLinearMatMul, with numpy matmul
// shapes (1-D operands, broadcast batch dimensions):
//   acc[b][m][n] = sum_k (a[b][m][k] - a_zp[m]) * (b[b][k][n] - b_zp[n])
// B is packed once (zero points subtracted, int16) into the micro-kernel's column blocks
// (int_gemm.h); A's rows are converted 4 at a time. Tasks are 4 rows x 256 columns, parallel
// over rows, column tiles and batches, and each finished run of accumulators goes to an
// epilogue that writes the op's output.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/ops/quant/int_gemm.h"
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {

struct MatMulGeometry {
  int64_t m = 0, k = 0, n = 0;
  int64_t batches = 1;
  Shape out_shape;
  std::vector<int64_t> a_offsets;  // element offset of each output batch's A matrix
  std::vector<int64_t> b_index;    // which of B's matrices each output batch uses
};

Result<MatMulGeometry> matmul_geometry(const Shape& a, const Shape& b, const char* op);

// Elements of one packed B matrix: column blocks of 8 x K pairs x 16.
inline int64_t packed_b_size(int64_t k, int64_t n) { return (n + 7) / 8 * packed_k(k) * 8; }

// Packs B (K x N matrices, any number of them, 1-D B being one K x 1 matrix) as b - zp[col]
// into column blocks: element (k, j) of matrix i is at
//   i * packed_b_size + (j / 8) * packed_k(K) * 8 + (k / 2) * 16 + (j % 8) * 2 + k % 2.
template <typename TB>
std::vector<int16_t> pack_matmul_b(const Tensor& b, const std::vector<int32_t>& zp_per_col, int64_t n_cols) {
  const int64_t k_count = b.rank() == 1 ? b.numel() : b.dim(b.rank() - 2);
  const int64_t n_count = n_cols;
  const int64_t per = packed_b_size(k_count, n_count);
  const int64_t mats = (k_count * n_count) ? b.numel() / (k_count * n_count) : 0;
  const int64_t block = packed_k(k_count) * 8;
  std::vector<int16_t> packed(static_cast<size_t>(mats * per), 0);
  const TB* src = b.data<TB>();
  for (int64_t i = 0; i < mats; ++i) {
    for (int64_t k = 0; k < k_count; ++k) {
      const TB* row = src + (i * k_count + k) * n_count;
      int16_t* dst = packed.data() + i * per + (k / 2) * 16 + (k & 1);
      for (int64_t j = 0; j < n_count; ++j) {
        dst[(j / 8) * block + (j % 8) * 2] =
            static_cast<int16_t>(static_cast<int32_t>(row[j]) - zp_per_col[static_cast<size_t>(j)]);
      }
    }
  }
  return packed;
}

// Packs a constant B (input b_index, zero point zp_index) at load time; empty when B or its
// zero point is not constant or does not fit (run() then packs and reports errors).
std::vector<int16_t> prepack_matmul_b(const KernelBuildInfo& info, int b_index, int zp_index);

// epi(batch, row, col0, count, const int32_t* acc) gets acc for columns [col0, col0 + count).
// `b` is from pack_matmul_b.
template <typename TA, typename Epilogue>
void int_matmul(const TA* a, const std::vector<int32_t>& a_zp_rows, const int16_t* b, const MatMulGeometry& g,
                int threads, Epilogue&& epi) {
  constexpr int64_t kRows = detail::kBlockM, kTileN = 256;
  const int64_t m_count = g.m, k_count = g.k, n_count = g.n;
  if (m_count == 0 || n_count == 0) return;
  const int64_t kp_len = packed_k(k_count);
  const int64_t k_pairs = kp_len / 2;
  const int64_t per_b = packed_b_size(k_count, n_count);
  const int64_t row_blocks = (m_count + kRows - 1) / kRows;
  const int64_t n_tiles = (n_count + kTileN - 1) / kTileN;
  const int64_t tasks = g.batches * row_blocks * n_tiles;
#pragma omp parallel num_threads(threads) if (g.batches * m_count * n_count * k_count > 65536)
  {
    std::vector<int16_t> arows(static_cast<size_t>(kRows * kp_len), 0);
#pragma omp for schedule(static)
    for (int64_t t = 0; t < tasks; ++t) {
      const int64_t bi = t / (row_blocks * n_tiles);
      const int64_t rb = (t / n_tiles) % row_blocks;
      const int64_t nt = t % n_tiles;
      const int64_t m0 = rb * kRows, n0 = nt * kTileN;
      const int64_t rows = std::min(kRows, m_count - m0);
      const int64_t cnt = std::min(kTileN, n_count - n0);
      // A's rows with the zero point subtracted (K padded with a zero to even).
      const int16_t* wr[kRows];
      for (int64_t r = 0; r < rows; ++r) {
        int16_t* dst = arows.data() + r * kp_len;
        const TA* src = a + g.a_offsets[static_cast<size_t>(bi)] + (m0 + r) * k_count;
        const int32_t z = a_zp_rows[static_cast<size_t>(m0 + r)];
        for (int64_t k = 0; k < k_count; ++k) dst[k] = static_cast<int16_t>(static_cast<int32_t>(src[k]) - z);
        wr[r] = dst;
      }
      for (int64_t r = rows; r < kRows; ++r) wr[r] = wr[0];  // computed and discarded
      const int16_t* bb = b + g.b_index[static_cast<size_t>(bi)] * per_b;
      alignas(64) int32_t acc[kRows][kTileN];
      for (int64_t q = 0; q < cnt; q += 8) {
        int32_t part[kRows][8];
        detail::gemm_4x8(wr, bb + ((n0 + q) / 8) * kp_len * 8, k_pairs, part);
        for (int64_t r = 0; r < kRows; ++r) std::memcpy(&acc[r][q], part[r], sizeof(part[r]));
      }
      for (int64_t r = 0; r < rows; ++r) epi(bi, m0 + r, n0, cnt, acc[r]);
    }
  }
}

}  // namespace fogline::engine::ops::quant
