// im2col / col2im for N-D convolution: the column matrix has one row per (channel, kernel
// offset) and one column per output position, so Conv is one GEMM per (image, group).
#pragma once

#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {

struct ConvGeometry {
  std::vector<int64_t> in, out, kernel, strides, dilations, pads;  // spatial only; pads: begins, ends
  int64_t in_size() const { return prod(in); }
  int64_t out_size() const { return prod(out); }
  int64_t kernel_size() const { return prod(kernel); }
  static int64_t prod(const std::vector<int64_t>& v) {
    int64_t p = 1;
    for (int64_t x : v) p *= x;
    return p;
  }
};

// Calls fn(row, kernel_index, col_offset, input_offset_or_-1) for every element of the
// column matrix of `channels` channels. Rows run in parallel.
template <typename Fn>
void for_each_col(const ConvGeometry& g, int64_t channels, int threads, Fn&& fn) {
  const size_t n = g.in.size();
  const int64_t ksize = g.kernel_size(), osize = g.out_size(), isize = g.in_size();
  const int64_t rows = channels * ksize;
  const int64_t last_out = g.out[n - 1];
  std::vector<int64_t> outer_dims(g.out.begin(), g.out.end() - 1);
#pragma omp parallel for if (rows * osize > 65536) num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r / ksize;
    std::vector<int64_t> k(n);
    for (int64_t rem = r % ksize, d = static_cast<int64_t>(n) - 1; d >= 0; --d) {
      k[static_cast<size_t>(d)] = rem % g.kernel[static_cast<size_t>(d)];
      rem /= g.kernel[static_cast<size_t>(d)];
    }
    std::vector<int64_t> o(n - 1, 0);
    int64_t col = r * osize;
    do {
      // Offset of the row of input this output row reads, or -1 when it is in padding.
      bool inside = true;
      for (size_t d = 0; d + 1 < n; ++d) {
        const int64_t p = o[d] * g.strides[d] - g.pads[d] + k[d] * g.dilations[d];
        if (p < 0 || p >= g.in[d]) inside = false;
      }
      int64_t off = 0;
      if (inside) {
        int64_t stride = isize;
        off = c * isize;
        for (size_t d = 0; d + 1 < n; ++d) {
          stride /= g.in[d];
          off += (o[d] * g.strides[d] - g.pads[d] + k[d] * g.dilations[d]) * stride;
        }
      }
      const size_t L = n - 1;
      const int64_t start = k[L] * g.dilations[L] - g.pads[L];
      for (int64_t x = 0; x < last_out; ++x, ++col) {
        const int64_t p = x * g.strides[L] + start;
        fn(col, (inside && p >= 0 && p < g.in[L]) ? off + p : int64_t(-1));
      }
    } while (n > 1 && next_index(o, outer_dims));
  }
}

template <typename C>
void im2col(const ConvGeometry& g, int64_t channels, const C* x, C* col, int threads) {
  for_each_col(g, channels, threads, [&](int64_t ci, int64_t xi) { col[ci] = xi >= 0 ? x[xi] : C(0); });
}

// Adds the column matrix back into the image (ConvTranspose). Rows of one channel touch the
// same pixels, so channels go in parallel and kernel offsets of a channel in sequence.
template <typename C>
void col2im(const ConvGeometry& g, int64_t channels, const C* col, C* x, int threads) {
  const int64_t ksize = g.kernel_size(), osize = g.out_size();
#pragma omp parallel for if (channels > 1 && channels * ksize * osize > 65536) num_threads(threads)
  for (int64_t c = 0; c < channels; ++c) {
    const int64_t row0 = c * ksize;
    for_each_col(g, 1, 1, [&](int64_t ci, int64_t xi) {
      if (xi >= 0) x[c * g.in_size() + xi] += col[row0 * osize + ci];
    });
  }
}

}  // namespace fogline::engine::ops::nn
