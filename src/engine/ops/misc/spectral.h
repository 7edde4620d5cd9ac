// The discrete Fourier transform of one line, shared by DFT and STFT. Computed in double with
// a twiddle table (exact index k*n mod N) so results stay accurate for any length, and with a
// radix-2 FFT when the length is a power of two.
#pragma once

#include <cstdint>
#include <vector>

namespace fogline::engine::ops::spectral {

// Twiddle factors e^{-2*pi*i*k/n} (or e^{+...} when inverse), k in [0, n).
struct Twiddles {
  std::vector<double> cos, sin;
};
Twiddles make_twiddles(int64_t n, bool inverse);

// X[k] = sum_j x[j] * w^(j*k) for k < bins, with x given as n complex values (re, im).
// `scratch` is resized as needed (kept by the caller to avoid reallocations).
void transform(const Twiddles& tw, const double* re, const double* im, int64_t n, int64_t bins,
               double* out_re, double* out_im, std::vector<double>& scratch);

}  // namespace fogline::engine::ops::spectral
