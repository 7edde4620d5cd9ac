// The integer convolution core shared by QLinearConv and ConvInteger: int32 accumulators of
//   sum (x - x_zero_point) * (w - w_zero_point[m])
// handed, a run of output positions at a time, to an epilogue that writes the op's output
// (requantised 8-bit for QLinearConv, raw int32 for ConvInteger).
//
// Two paths: depthwise 2-D convs (one input channel per group, MobileNet's 3x3s) run directly
// on a zero-padded copy of each channel; everything else is im2col into int16 followed by a
// blocked GEMM (4 output channels x 256 positions per task, int32 accumulation), parallel over
// output-channel blocks and position tiles. Zero points are subtracted once, when packing,
// so padding is simply 0.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

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

// w - w_zero_point[m] as int16, laid out [M][C/group * kernel_size] (w's own layout).
template <typename TW>
std::vector<int16_t> pack_conv_weights(const Tensor& w, const std::vector<int32_t>& zp_per_m) {
  const int64_t m_count = w.dim(0);
  const int64_t per_m = m_count ? w.numel() / m_count : 0;
  std::vector<int16_t> packed(static_cast<size_t>(w.numel()));
  const TW* src = w.data<TW>();
  for (int64_t m = 0; m < m_count; ++m) {
    const int32_t z = zp_per_m[static_cast<size_t>(m)];
    for (int64_t k = 0; k < per_m; ++k) {
      packed[static_cast<size_t>(m * per_m + k)] = static_cast<int16_t>(static_cast<int32_t>(src[m * per_m + k]) - z);
    }
  }
  return packed;
}

namespace detail {

constexpr int64_t kTileP = 256;  // output positions per GEMM task
constexpr int64_t kBlockM = 4;   // output channels per GEMM task

// Fills col[K][P] (K = channels of one group x kernel positions) with x - zp, 0 in padding.
template <typename TX>
void im2col(const TX* x, int32_t zp, const ConvGeometry& g, int64_t c0, int16_t* col, int threads) {
  const int64_t cg = g.in_per_group();
  const int64_t ks = g.kernel_size;
  const int64_t rows = cg * ks;
  const int64_t p_count = g.out_size;
  const size_t rank = g.in_spatial.size();
  bool pointwise = true;
  for (size_t d = 0; d < rank; ++d) {
    pointwise = pointwise && g.kernel[d] == 1 && g.strides[d] == 1 && g.pads_begin[d] == 0 &&
                g.out_spatial[d] == g.in_spatial[d];
  }
#pragma omp parallel for if (rows * p_count > 32768) num_threads(threads)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = c0 + r / ks;
    int64_t kidx = r % ks;
    const TX* plane = x + c * g.in_size;
    int16_t* dst = col + r * p_count;
    if (pointwise) {
      for (int64_t p = 0; p < p_count; ++p) dst[p] = static_cast<int16_t>(static_cast<int32_t>(plane[p]) - zp);
      continue;
    }
    if (rank == 2) {
      const int64_t kh = kidx / g.kernel[1], kw = kidx % g.kernel[1];
      const int64_t ih_base = kh * g.dilations[0] - g.pads_begin[0];
      const int64_t iw_base = kw * g.dilations[1] - g.pads_begin[1];
      const int64_t oh_n = g.out_spatial[0], ow_n = g.out_spatial[1];
      const int64_t h = g.in_spatial[0], w = g.in_spatial[1];
      const int64_t sh = g.strides[0], sw = g.strides[1];
      for (int64_t oh = 0; oh < oh_n; ++oh) {
        const int64_t ih = oh * sh + ih_base;
        int16_t* out = dst + oh * ow_n;
        if (ih < 0 || ih >= h) {
          std::memset(out, 0, static_cast<size_t>(ow_n) * sizeof(int16_t));
          continue;
        }
        const TX* row = plane + ih * w;
        for (int64_t ow = 0; ow < ow_n; ++ow) {
          const int64_t iw = ow * sw + iw_base;
          out[ow] = (iw >= 0 && iw < w) ? static_cast<int16_t>(static_cast<int32_t>(row[iw]) - zp) : int16_t{0};
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
      dst[p] = inside ? static_cast<int16_t>(static_cast<int32_t>(plane[off]) - zp) : int16_t{0};
      for (size_t d = rank; d-- > 0;) {
        if (++opos[d] < g.out_spatial[d]) break;
        opos[d] = 0;
      }
    }
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

  if (cg == 1 && g.in_spatial.size() == 2) {
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
        for (int64_t ih = 0; ih < h; ++ih) {
          const int64_t r = ih + pt;
          if (r < 0 || r >= ph) continue;
          for (int64_t iw = 0; iw < wd; ++iw) {
            const int64_t q = iw + pl;
            if (q < 0 || q >= pw) continue;
            plane[static_cast<size_t>(r * pw + q)] = static_cast<int16_t>(static_cast<int32_t>(src[ih * wd + iw]) - x_zp);
          }
        }
        const int16_t* wm = w + m * ks;
        for (int64_t oh = 0; oh < oh_n; ++oh) {
          std::fill(acc.begin(), acc.end(), 0);
          int32_t* a = acc.data();
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
  std::vector<int16_t> col(static_cast<size_t>(k_count * p_count));
  const int64_t m_blocks = (mg + detail::kBlockM - 1) / detail::kBlockM;
  const int64_t p_tiles = (p_count + detail::kTileP - 1) / detail::kTileP;
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t gi = 0; gi < g.group; ++gi) {
      detail::im2col(x + n * g.in_channels * g.in_size, x_zp, g, gi * cg, col.data(), threads);
      const int16_t* wg = w + gi * mg * k_count;
#pragma omp parallel for schedule(static) num_threads(threads) if (mg * p_count * k_count > 65536)
      for (int64_t task = 0; task < m_blocks * p_tiles; ++task) {
        const int64_t mb = task / p_tiles, pt = task % p_tiles;
        const int64_t m0 = mb * detail::kBlockM;
        const int64_t p0 = pt * detail::kTileP;
        const int64_t cnt = std::min(detail::kTileP, p_count - p0);
        alignas(64) int32_t acc[detail::kBlockM][detail::kTileP];
        std::memset(acc, 0, sizeof(acc));
        // Rows past the group's last channel read channel m0's weights and are discarded.
        const int16_t* wr[detail::kBlockM];
        for (int64_t b = 0; b < detail::kBlockM; ++b) {
          wr[b] = wg + std::min(m0 + b, mg - 1) * k_count;
        }
        for (int64_t k = 0; k < k_count; ++k) {
          const int16_t* cp = col.data() + k * p_count + p0;
          const int32_t w0 = wr[0][k], w1 = wr[1][k], w2 = wr[2][k], w3 = wr[3][k];
          if ((w0 | w1 | w2 | w3) == 0) continue;
          for (int64_t p = 0; p < cnt; ++p) {
            const int32_t v = cp[p];
            acc[0][p] += w0 * v;
            acc[1][p] += w1 * v;
            acc[2][p] += w2 * v;
            acc[3][p] += w3 * v;
          }
        }
        for (int64_t b = 0; b < detail::kBlockM && m0 + b < mg; ++b) {
          epi(n, gi * mg + m0 + b, p0, cnt, acc[b]);
        }
      }
    }
  }
}

}  // namespace fogline::engine::ops::quant
