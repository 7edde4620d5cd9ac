// The integer matrix product shared by MatMulInteger and QLinearMatMul, with numpy matmul
// shapes (1-D operands, broadcast batch dimensions):
//   acc[b][m][n] = sum_k (a[b][m][k] - a_zp[m]) * (b[b][k][n] - b_zp[n])
// B is packed once to int16 with its zero points subtracted. Tasks are 4 rows x 256 columns
// with int32 accumulators, parallel over rows and column tiles, and each finished run of
// accumulators goes to an epilogue that writes the op's output.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {

struct MatMulGeometry {
  int64_t m = 0, k = 0, n = 0;
  int64_t batches = 1;
  Shape out_shape;
  std::vector<int64_t> a_offsets, b_offsets;  // element offset of each output batch's A and B
};

Result<MatMulGeometry> matmul_geometry(const Shape& a, const Shape& b, const char* op);

// b - zp[n % N] as int16, same layout as b.
template <typename TB>
std::vector<int16_t> pack_matmul_b(const Tensor& b, const std::vector<int32_t>& zp_per_col, int64_t n_cols) {
  std::vector<int16_t> packed(static_cast<size_t>(b.numel()));
  const TB* src = b.data<TB>();
  for (int64_t i = 0; i < b.numel(); ++i) {
    packed[static_cast<size_t>(i)] =
        static_cast<int16_t>(static_cast<int32_t>(src[i]) - zp_per_col[static_cast<size_t>(n_cols ? i % n_cols : 0)]);
  }
  return packed;
}

// Packs a constant B (input b_index, zero point zp_index) at load time; empty when B or its
// zero point is not constant or does not fit (run() then packs and reports errors).
std::vector<int16_t> prepack_matmul_b(const KernelBuildInfo& info, int b_index, int zp_index);

// epi(batch, row, col0, count, const int32_t* acc) gets acc for columns [col0, col0 + count).
template <typename TA, typename Epilogue>
void int_matmul(const TA* a, const std::vector<int32_t>& a_zp_rows, const int16_t* b, const MatMulGeometry& g,
                int threads, Epilogue&& epi) {
  constexpr int64_t kRows = 4, kTileN = 256;
  const int64_t m_count = g.m, k_count = g.k, n_count = g.n;
  if (m_count == 0 || n_count == 0) return;
  const int64_t row_blocks = (m_count + kRows - 1) / kRows;
  const int64_t n_tiles = (n_count + kTileN - 1) / kTileN;
  const int64_t tasks = g.batches * row_blocks * n_tiles;
#pragma omp parallel num_threads(threads) if (g.batches * m_count * n_count * k_count > 65536)
  {
    std::vector<int16_t> arows(static_cast<size_t>(kRows * k_count));
#pragma omp for schedule(static)
    for (int64_t t = 0; t < tasks; ++t) {
      const int64_t bi = t / (row_blocks * n_tiles);
      const int64_t rb = (t / n_tiles) % row_blocks;
      const int64_t nt = t % n_tiles;
      const int64_t m0 = rb * kRows, n0 = nt * kTileN;
      const int64_t rows = std::min(kRows, m_count - m0);
      const int64_t cnt = std::min(kTileN, n_count - n0);
      // A's rows, zero point subtracted; missing rows of the last block are zeros.
      for (int64_t r = 0; r < kRows; ++r) {
        int16_t* dst = arows.data() + r * k_count;
        if (r >= rows) {
          std::fill(dst, dst + k_count, int16_t{0});
          continue;
        }
        const TA* src = a + g.a_offsets[static_cast<size_t>(bi)] + (m0 + r) * k_count;
        const int32_t z = a_zp_rows[static_cast<size_t>(m0 + r)];
        for (int64_t k = 0; k < k_count; ++k) dst[k] = static_cast<int16_t>(static_cast<int32_t>(src[k]) - z);
      }
      alignas(64) int32_t acc[kRows][kTileN];
      std::memset(acc, 0, sizeof(acc));
      const int16_t* bb = b + g.b_offsets[static_cast<size_t>(bi)] + n0;
      for (int64_t k = 0; k < k_count; ++k) {
        const int32_t a0 = arows[static_cast<size_t>(k)];
        const int32_t a1 = arows[static_cast<size_t>(k_count + k)];
        const int32_t a2 = arows[static_cast<size_t>(2 * k_count + k)];
        const int32_t a3 = arows[static_cast<size_t>(3 * k_count + k)];
        if ((a0 | a1 | a2 | a3) == 0) continue;
        const int16_t* br = bb + k * n_count;
        for (int64_t j = 0; j < cnt; ++j) {
          const int32_t v = br[j];
          acc[0][j] += a0 * v;
          acc[1][j] += a1 * v;
          acc[2][j] += a2 * v;
          acc[3][j] += a3 * v;
        }
      }
      for (int64_t r = 0; r < rows; ++r) epi(bi, m0 + r, n0, cnt, acc[r]);
    }
  }
}

}  // namespace fogline::engine::ops::quant
