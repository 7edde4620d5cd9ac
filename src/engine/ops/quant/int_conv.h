// The integer convolution core shared by QLinearConv and ConvInteger: int32 accumulators of
//   sum (x - x_zero_point) * (w - w_zero_point[m])
// handed, a run of output positions at a time, to an epilogue that writes the op's output
// (requantised 8-bit for QLinearConv, raw int32 for ConvInteger).
//
// Two paths: depthwise 2-D convs (one input channel per group, MobileNet's 3x3s) run directly
// on a zero-padded copy of each channel; everything else is im2col into int16 followed by a
// blocked GEMM, parallel over blocks of 4 output channels x 256 positions. Zero points are
// subtracted once, when packing, so padding is simply 0.
//
// The GEMM is int_gemm.h's micro-kernel: weights are packed [M][K rounded up to even] and
// im2col writes blocks of 8 positions with K interleaved in pairs, which the kernel streams.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/ops/quant/int_gemm.h"
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {

struct ConvAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel_shape, strides, dilations, pads;
  int64_t group = 1;
};

ConvAttrs read_conv_attrs(const Attributes& attrs);

struct ConvGeometry {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  std::vector<int64_t> in_spatial, out_spatial, kernel, strides, dilations, pads_begin;
  int64_t in_size = 1, out_size = 1, kernel_size = 1;
  int64_t in_per_group() const { return in_channels / group; }
  int64_t out_per_group() const { return out_channels / group; }
  Shape output_shape() const;
};

// Validates x [N, C, D1..Dk] and w [M, C/group, k1..kk] against the attributes and computes
// output sizes and effective padding; `op` names the op in errors.
Result<ConvGeometry> conv_geometry(const ConvAttrs& a, const Shape& x, const Shape& w, const char* op);

// Whether int_conv takes the direct depthwise path (one input channel per group, 2-D, and a
// padded channel copy of reasonable size).
bool use_depthwise_path(const ConvGeometry& g);

// Refuses convolutions whose im2col buffer would exceed the allocation limit.
Status check_conv_workspace(const ConvGeometry& g, const char* op);

// w - w_zero_point[m] as int16, laid out [M][packed_k(C/group * kernel_size)] (w's own order,
// a zero after each channel's weights when their count is odd).
template <typename TW>
std::vector<int16_t> pack_conv_weights(const Tensor& w, const std::vector<int32_t>& zp_per_m) {
  const int64_t m_count = w.dim(0);
  const int64_t per_m = m_count ? w.numel() / m_count : 0;
  const int64_t stride = packed_k(per_m);
  std::vector<int16_t> packed(static_cast<size_t>(m_count * stride), 0);
  const TW* src = w.data<TW>();
  for (int64_t m = 0; m < m_count; ++m) {
    const int32_t z = zp_per_m[static_cast<size_t>(m)];
    for (int64_t k = 0; k < per_m; ++k) {
      packed[static_cast<size_t>(m * stride + k)] = static_cast<int16_t>(static_cast<int32_t>(src[m * per_m + k]) - z);
    }
  }
  return packed;
}

// Packs constant weights (input w_index, zero point zp_index) at load time; empty when they
// are not constant or do not fit (run() then packs them and reports what is wrong).
std::vector<int16_t> prepack_conv_weights(const KernelBuildInfo& info, int w_index, int zp_index);

namespace detail {

constexpr int64_t kTileP = 256;  // output positions per GEMM task

// Fills col with x - zp (0 in padding) for K = channels of one group x kernel positions and
// P output positions, in the micro-kernel's order: blocks of 8 positions, and within a block
// K in pairs, so element (k, p) is at
//   col[(p / 8) * k_pairs * 16 + (k / 2) * 16 + (p % 8) * 2 + k % 2].
// Positions past P in the last block and an odd K's missing last row must already be zero.
// Its loop is an orphaned `omp for`: called inside a parallel region, the team shares it.
template <typename TX>
void im2col(const TX* x, int32_t zp, const ConvGeometry& g, int64_t c0, int16_t* col, int64_t k_pairs) {
  const int64_t cg = g.in_per_group();
  const int64_t ks = g.kernel_size;
  const int64_t rows = cg * ks;
  const int64_t p_count = g.out_size;
  const int64_t block = k_pairs * 16;
  const size_t rank = g.in_spatial.size();
  bool pointwise = true;
  for (size_t d = 0; d < rank; ++d) {
    pointwise = pointwise && g.kernel[d] == 1 && g.strides[d] == 1 && g.pads_begin[d] == 0 &&
                g.out_spatial[d] == g.in_spatial[d];
  }
  auto q = [zp](TX v) { return static_cast<int16_t>(static_cast<int32_t>(v) - zp); };
  // One task per pair of K rows, so that no two threads write the same cache lines.
#pragma omp for schedule(static)
  for (int64_t rp = 0; rp < k_pairs; ++rp) {
    if (pointwise) {
      // Both rows of the pair at once: each 8-position block is 32 contiguous bytes.
      const TX* p0 = x + (c0 + 2 * rp) * g.in_size;
      const TX* p1 = 2 * rp + 1 < rows ? p0 + g.in_size : nullptr;
      for (int64_t pb = 0; pb * 8 < p_count; ++pb) {
        int16_t* dst = col + pb * block + rp * 16;
        const int64_t n = std::min<int64_t>(8, p_count - pb * 8);
        for (int64_t j = 0; j < n; ++j) {
          dst[2 * j] = q(p0[pb * 8 + j]);
          dst[2 * j + 1] = p1 ? q(p1[pb * 8 + j]) : int16_t{0};
        }
      }
      continue;
    }
    for (int64_t r = 2 * rp; r < std::min(2 * rp + 2, rows); ++r) {
      const int64_t c = c0 + r / ks;
      int64_t kidx = r % ks;
      const TX* plane = x + c * g.in_size;
      int16_t* dst = col + rp * 16 + (r & 1);
      auto at = [dst, block](int64_t p) -> int16_t& { return dst[(p >> 3) * block + (p & 7) * 2]; };
      if (rank == 2) {
        const int64_t kh = kidx / g.kernel[1], kw = kidx % g.kernel[1];
        const int64_t ih_base = kh * g.dilations[0] - g.pads_begin[0];
        const int64_t iw_base = kw * g.dilations[1] - g.pads_begin[1];
        const int64_t oh_n = g.out_spatial[0], ow_n = g.out_spatial[1];
        const int64_t h = g.in_spatial[0], w = g.in_spatial[1];
        const int64_t sh = g.strides[0], sw = g.strides[1];
        for (int64_t oh = 0; oh < oh_n; ++oh) {
          const int64_t ih = oh * sh + ih_base;
          const int64_t p_row = oh * ow_n;
          if (ih < 0 || ih >= h) {
            for (int64_t ow = 0; ow < ow_n; ++ow) at(p_row + ow) = 0;
            continue;
          }
          const TX* row = plane + ih * w;
          for (int64_t ow = 0; ow < ow_n; ++ow) {
            const int64_t iw = ow * sw + iw_base;
            at(p_row + ow) = (iw >= 0 && iw < w) ? q(row[iw]) : int16_t{0};
          }
        }
        continue;
      }
      // Any other rank: walk output coordinates with a counter.
      std::vector<int64_t> koff(rank), opos(rank, 0);
      for (size_t d = rank; d-- > 0;) {
        koff[d] = (kidx % g.kernel[d]) * g.dilations[d] - g.pads_begin[d];
        kidx /= g.kernel[d];
      }
      for (int64_t p = 0; p < p_count; ++p) {
        int64_t off = 0;
        bool inside = true;
        for (size_t d = 0; d < rank; ++d) {
          const int64_t i = opos[d] * g.strides[d] + koff[d];
          inside = inside && i >= 0 && i < g.in_spatial[d];
          off = off * g.in_spatial[d] + i;
        }
        at(p) = inside ? q(plane[off]) : int16_t{0};
        for (size_t d = rank; d-- > 0;) {
          if (++opos[d] < g.out_spatial[d]) break;
          opos[d] = 0;
        }
      }
    }
  }
}

// One output row of a 3x3 depthwise conv from three input rows, all nine taps summed before
// the single store. SW is the stride when known at compile time (so the loop vectorises),
// 0 to use `stride`.
template <int SW>
inline void depthwise_3x3_row(const int16_t* __restrict r0, const int16_t* __restrict r1,
                              const int16_t* __restrict r2, const int16_t* wm, int32_t* __restrict a, int64_t n,
                              int64_t stride, int64_t dil = 1) {
  const int32_t w0 = wm[0], w1 = wm[1], w2 = wm[2], w3 = wm[3], w4 = wm[4], w5 = wm[5], w6 = wm[6], w7 = wm[7],
                w8 = wm[8];
  const int64_t s = SW ? SW : stride;
  const int64_t d = SW ? 1 : dil;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t q = i * s;
    a[i] = w0 * r0[q] + w1 * r0[q + d] + w2 * r0[q + 2 * d] + w3 * r1[q] + w4 * r1[q + d] + w5 * r1[q + 2 * d] +
           w6 * r2[q] + w7 * r2[q + d] + w8 * r2[q + 2 * d];
  }
}

}  // namespace detail

// Runs the convolution; epi(n, m, p0, count, const int32_t* acc) receives accumulators for
// output channel m, positions [p0, p0 + count) of image n. `w` is from pack_conv_weights.
template <typename TX, typename Epilogue>
void int_conv(const TX* x, int32_t x_zp, const int16_t* w, const ConvGeometry& g, int threads, Epilogue&& epi) {
  const int64_t cg = g.in_per_group(), mg = g.out_per_group();
  const int64_t ks = g.kernel_size, p_count = g.out_size;
  if (p_count == 0 || g.out_channels == 0) return;

  if (use_depthwise_path(g)) {
    // Depthwise: each output channel reads one input channel through a padded copy of it.
    const int64_t oh_n = g.out_spatial[0], ow_n = g.out_spatial[1];
    const int64_t kh_n = g.kernel[0], kw_n = g.kernel[1];
    const int64_t sh = g.strides[0], sw = g.strides[1], dh = g.dilations[0], dw = g.dilations[1];
    const int64_t ph = (oh_n - 1) * sh + (kh_n - 1) * dh + 1;
    const int64_t pw = (ow_n - 1) * sw + (kw_n - 1) * dw + 1;
    const int64_t h = g.in_spatial[0], wd = g.in_spatial[1];
    const int64_t pt = g.pads_begin[0], pl = g.pads_begin[1];
    const int64_t tasks = g.batch * g.out_channels;
#pragma omp parallel num_threads(threads) if (tasks * p_count * ks > 65536)
    {
      std::vector<int16_t> plane(static_cast<size_t>(ph * pw));
      std::vector<int32_t> acc(static_cast<size_t>(ow_n));
#pragma omp for schedule(static)
      for (int64_t t = 0; t < tasks; ++t) {
        const int64_t n = t / g.out_channels, m = t % g.out_channels;
        const int64_t c = m / mg;
        const TX* src = x + (n * g.in_channels + c) * g.in_size;
        std::fill(plane.begin(), plane.end(), int16_t{0});
        // Input rows/columns past the last one any output reads are left out.
        const int64_t rows_used = std::min(h, ph - pt), cols_used = std::min(wd, pw - pl);
        for (int64_t ih = 0; ih < rows_used; ++ih) {
          int16_t* dst = plane.data() + (ih + pt) * pw + pl;
          const TX* row = src + ih * wd;
          for (int64_t iw = 0; iw < cols_used; ++iw) dst[iw] = static_cast<int16_t>(static_cast<int32_t>(row[iw]) - x_zp);
        }
        const int16_t* wm = w + m * packed_k(ks);
        for (int64_t oh = 0; oh < oh_n; ++oh) {
          int32_t* a = acc.data();
          if (kh_n == 3 && kw_n == 3) {
            // MobileNet's case: all nine taps summed in registers, one store per output.
            const int16_t* r0 = plane.data() + (oh * sh) * pw;
            const int16_t* r1 = r0 + dh * pw;
            const int16_t* r2 = r1 + dh * pw;
            if (sw == 1 && dw == 1) {
              detail::depthwise_3x3_row<1>(r0, r1, r2, wm, a, ow_n, 1);
            } else if (sw == 2 && dw == 1) {
              detail::depthwise_3x3_row<2>(r0, r1, r2, wm, a, ow_n, 1);
            } else {
              detail::depthwise_3x3_row<0>(r0, r1, r2, wm, a, ow_n, sw, dw);
            }
            epi(n, m, oh * ow_n, ow_n, a);
            continue;
          }
          std::fill(acc.begin(), acc.end(), 0);
          for (int64_t kh = 0; kh < kh_n; ++kh) {
            const int16_t* row = plane.data() + (oh * sh + kh * dh) * pw;
            for (int64_t kw = 0; kw < kw_n; ++kw) {
              const int32_t wv = wm[kh * kw_n + kw];
              const int16_t* in = row + kw * dw;
              if (sw == 1) {
                for (int64_t ow = 0; ow < ow_n; ++ow) a[ow] += wv * in[ow];
              } else {
                for (int64_t ow = 0; ow < ow_n; ++ow) a[ow] += wv * in[ow * sw];
              }
            }
          }
          epi(n, m, oh * ow_n, ow_n, a);
        }
      }
    }
    return;
  }

  const int64_t k_count = cg * ks;
  const int64_t k_pairs = packed_k(k_count) / 2;
  const int64_t p_blocks = (p_count + 7) / 8;  // the micro-kernel's 8-position blocks
  std::vector<int16_t> col(static_cast<size_t>(p_blocks * k_pairs * 16), 0);
  const int64_t m_blocks = (mg + detail::kBlockM - 1) / detail::kBlockM;
  const int64_t p_tiles = (p_count + detail::kTileP - 1) / detail::kTileP;
  // One parallel region for all images and groups (fewer fork/joins); the two work-shared
  // loops' implicit barriers order im2col before the GEMM that reads it, and that before the
  // next im2col overwrites it.
#pragma omp parallel num_threads(threads) if (g.out_channels * p_count * k_count > 65536)
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t gi = 0; gi < g.group; ++gi) {
      detail::im2col(x + n * g.in_channels * g.in_size, x_zp, g, gi * cg, col.data(), k_pairs);
      const int16_t* wg = w + gi * mg * 2 * k_pairs;
#pragma omp for schedule(static)
      for (int64_t task = 0; task < m_blocks * p_tiles; ++task) {
        const int64_t mb = task / p_tiles, pt = task % p_tiles;
        const int64_t m0 = mb * detail::kBlockM;
        const int64_t p0 = pt * detail::kTileP;
        const int64_t cnt = std::min(detail::kTileP, p_count - p0);
        // Rows past the group's last channel reuse its weights; their sums are discarded.
        const int16_t* wr[detail::kBlockM];
        for (int64_t b = 0; b < detail::kBlockM; ++b) wr[b] = wg + std::min(m0 + b, mg - 1) * 2 * k_pairs;
        alignas(64) int32_t acc[detail::kBlockM][detail::kTileP];
        for (int64_t q = 0; q < cnt; q += 8) {
          int32_t part[detail::kBlockM][8];
          detail::gemm_4x8(wr, col.data() + ((p0 + q) / 8) * k_pairs * 16, k_pairs, part);
          for (int64_t b = 0; b < detail::kBlockM; ++b) std::memcpy(&acc[b][q], part[b], sizeof(part[b]));
        }
        for (int64_t b = 0; b < detail::kBlockM && m0 + b < mg; ++b) {
          epi(n, gi * mg + m0 + b, p0, cnt, acc[b]);
        }
      }
    }
  }
}

}  // namespace fogline::engine::ops::quant
