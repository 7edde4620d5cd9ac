#include "engine/ops/misc/spectral.h"

#include <cmath>

namespace fogline::engine::ops::spectral {

Twiddles make_twiddles(int64_t n, bool inverse) {
  Twiddles t;
  t.cos.resize(static_cast<size_t>(n));
  t.sin.resize(static_cast<size_t>(n));
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t k = 0; k < n; ++k) {
    double a = 2.0 * M_PI * static_cast<double>(k) / static_cast<double>(n);
    t.cos[static_cast<size_t>(k)] = std::cos(a);
    t.sin[static_cast<size_t>(k)] = sign * std::sin(a);
  }
  return t;
}

namespace {

bool is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// In-place iterative radix-2 FFT on interleaved (re, im) data of power-of-two length n.
void fft_pow2(const Twiddles& tw, double* a, int64_t n) {
  for (int64_t i = 1, j = 0; i < n; ++i) {
    int64_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      std::swap(a[2 * i], a[2 * j]);
      std::swap(a[2 * i + 1], a[2 * j + 1]);
    }
  }
  for (int64_t len = 2; len <= n; len <<= 1) {
    const int64_t step = n / len;
    for (int64_t s = 0; s < n; s += len) {
      for (int64_t k = 0; k < len / 2; ++k) {
        const double wr = tw.cos[static_cast<size_t>(k * step)], wi = tw.sin[static_cast<size_t>(k * step)];
        double* u = a + 2 * (s + k);
        double* v = a + 2 * (s + k + len / 2);
        const double tr = v[0] * wr - v[1] * wi, ti = v[0] * wi + v[1] * wr;
        v[0] = u[0] - tr;
        v[1] = u[1] - ti;
        u[0] += tr;
        u[1] += ti;
      }
    }
  }
}

}  // namespace

void transform(const Twiddles& tw, const double* re, const double* im, int64_t n, int64_t bins,
               double* out_re, double* out_im, std::vector<double>& scratch) {
  if (is_pow2(n)) {
    scratch.resize(static_cast<size_t>(2 * n));
    for (int64_t j = 0; j < n; ++j) {
      scratch[static_cast<size_t>(2 * j)] = re[j];
      scratch[static_cast<size_t>(2 * j + 1)] = im[j];
    }
    fft_pow2(tw, scratch.data(), n);
    for (int64_t k = 0; k < bins; ++k) {
      out_re[k] = scratch[static_cast<size_t>(2 * k)];
      out_im[k] = scratch[static_cast<size_t>(2 * k + 1)];
    }
    return;
  }
  for (int64_t k = 0; k < bins; ++k) {
    double sr = 0, si = 0;
    int64_t idx = 0;  // (j * k) mod n, advanced without overflow
    for (int64_t j = 0; j < n; ++j) {
      const double c = tw.cos[static_cast<size_t>(idx)], s = tw.sin[static_cast<size_t>(idx)];
      sr += re[j] * c - im[j] * s;
      si += re[j] * s + im[j] * c;
      idx += k;
      if (idx >= n) idx -= n;
    }
    out_re[k] = sr;
    out_im[k] = si;
  }
}

}  // namespace fogline::engine::ops::spectral
