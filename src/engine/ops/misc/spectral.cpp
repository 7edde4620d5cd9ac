#include "engine/ops/misc/spectral.h"

#include <cmath>
#include <utility>

namespace fogline::engine::ops::spectral {
namespace {

constexpr int64_t kDirectMax = 1024;  // longer non-power-of-two lengths use Bluestein

bool is_pow2(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

void make_twiddles(int64_t n, double sign, std::vector<double>& c, std::vector<double>& s) {
  c.resize(static_cast<size_t>(n));
  s.resize(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    double a = 2.0 * M_PI * static_cast<double>(k) / static_cast<double>(n);
    c[static_cast<size_t>(k)] = std::cos(a);
    s[static_cast<size_t>(k)] = sign * std::sin(a);
  }
}

// In-place iterative radix-2 FFT on interleaved (re, im) data of power-of-two length n.
void fft_pow2(const std::vector<double>& tc, const std::vector<double>& ts, double* a, int64_t n) {
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
        const double wr = tc[static_cast<size_t>(k * step)], wi = ts[static_cast<size_t>(k * step)];
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

Plan make_plan(int64_t n, bool inverse) {
  Plan p;
  p.n = n;
  const double sign = inverse ? 1.0 : -1.0;
  if (is_pow2(n) || n <= kDirectMax) {
    p.kind = is_pow2(n) ? Plan::Kind::kPow2 : Plan::Kind::kDirect;
    make_twiddles(n, sign, p.cos, p.sin);
    return p;
  }
  // Bluestein: j*k = (j^2 + k^2 - (k-j)^2) / 2 turns the transform into a convolution.
  p.kind = Plan::Kind::kBluestein;
  p.m = 1;
  while (p.m < 2 * n - 1) p.m <<= 1;
  make_twiddles(p.m, -1.0, p.cos, p.sin);
  make_twiddles(p.m, 1.0, p.inv_cos, p.inv_sin);
  p.chirp.resize(static_cast<size_t>(2 * n));
  for (int64_t j = 0; j < n; ++j) {
    // j^2 mod 2n keeps the angle exact for large j.
    const int64_t q = static_cast<int64_t>((static_cast<unsigned __int128>(j) * j) % static_cast<uint64_t>(2 * n));
    const double a = M_PI * static_cast<double>(q) / static_cast<double>(n);
    p.chirp[static_cast<size_t>(2 * j)] = std::cos(a);
    p.chirp[static_cast<size_t>(2 * j + 1)] = sign * std::sin(a);
  }
  p.filter_fft.assign(static_cast<size_t>(2 * p.m), 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const double re = p.chirp[static_cast<size_t>(2 * j)], im = -p.chirp[static_cast<size_t>(2 * j + 1)];
    p.filter_fft[static_cast<size_t>(2 * j)] = re;
    p.filter_fft[static_cast<size_t>(2 * j + 1)] = im;
    if (j > 0) {
      p.filter_fft[static_cast<size_t>(2 * (p.m - j))] = re;
      p.filter_fft[static_cast<size_t>(2 * (p.m - j) + 1)] = im;
    }
  }
  fft_pow2(p.cos, p.sin, p.filter_fft.data(), p.m);
  return p;
}

void transform(const Plan& p, const double* re, const double* im, int64_t bins, double* out_re,
               double* out_im, std::vector<double>& scratch) {
  const int64_t n = p.n;
  switch (p.kind) {
    case Plan::Kind::kPow2: {
      scratch.resize(static_cast<size_t>(2 * n));
      for (int64_t j = 0; j < n; ++j) {
        scratch[static_cast<size_t>(2 * j)] = re[j];
        scratch[static_cast<size_t>(2 * j + 1)] = im[j];
      }
      fft_pow2(p.cos, p.sin, scratch.data(), n);
      for (int64_t k = 0; k < bins; ++k) {
        out_re[k] = scratch[static_cast<size_t>(2 * k)];
        out_im[k] = scratch[static_cast<size_t>(2 * k + 1)];
      }
      return;
    }
    case Plan::Kind::kDirect:
      for (int64_t k = 0; k < bins; ++k) {
        double sr = 0, si = 0;
        int64_t idx = 0;  // (j * k) mod n, advanced without overflow
        for (int64_t j = 0; j < n; ++j) {
          const double c = p.cos[static_cast<size_t>(idx)], s = p.sin[static_cast<size_t>(idx)];
          sr += re[j] * c - im[j] * s;
          si += re[j] * s + im[j] * c;
          idx += k;
          if (idx >= n) idx -= n;
        }
        out_re[k] = sr;
        out_im[k] = si;
      }
      return;
    case Plan::Kind::kBluestein: {
      const int64_t m = p.m;
      scratch.assign(static_cast<size_t>(2 * m), 0.0);
      for (int64_t j = 0; j < n; ++j) {
        const double cr = p.chirp[static_cast<size_t>(2 * j)], ci = p.chirp[static_cast<size_t>(2 * j + 1)];
        scratch[static_cast<size_t>(2 * j)] = re[j] * cr - im[j] * ci;
        scratch[static_cast<size_t>(2 * j + 1)] = re[j] * ci + im[j] * cr;
      }
      fft_pow2(p.cos, p.sin, scratch.data(), m);
      for (int64_t j = 0; j < m; ++j) {
        const double ar = scratch[static_cast<size_t>(2 * j)], ai = scratch[static_cast<size_t>(2 * j + 1)];
        const double br = p.filter_fft[static_cast<size_t>(2 * j)], bi = p.filter_fft[static_cast<size_t>(2 * j + 1)];
        scratch[static_cast<size_t>(2 * j)] = ar * br - ai * bi;
        scratch[static_cast<size_t>(2 * j + 1)] = ar * bi + ai * br;
      }
      fft_pow2(p.inv_cos, p.inv_sin, scratch.data(), m);
      const double scale = 1.0 / static_cast<double>(m);
      for (int64_t k = 0; k < bins; ++k) {
        const double vr = scratch[static_cast<size_t>(2 * k)] * scale, vi = scratch[static_cast<size_t>(2 * k + 1)] * scale;
        const double cr = p.chirp[static_cast<size_t>(2 * k)], ci = p.chirp[static_cast<size_t>(2 * k + 1)];
        out_re[k] = vr * cr - vi * ci;
        out_im[k] = vr * ci + vi * cr;
      }
      return;
    }
  }
}

}  // namespace fogline::engine::ops::spectral
