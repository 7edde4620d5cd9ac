// The discrete Fourier transform of one line, shared by DFT and STFT. Computed in double:
// a radix-2 FFT for power-of-two lengths, a direct sum over an exact twiddle table for short
// other lengths, and Bluestein's chirp-z algorithm (via a power-of-two FFT) for long ones, so
// any length costs O(n log n).
#pragma once

#include <cstdint>
#include <vector>

namespace fogline::engine::ops::spectral {

// Precomputed tables for transforms of one length and direction; read-only once made, so one
// plan serves all lines (and threads) of a run.
struct Plan {
  enum class Kind { kPow2, kDirect, kBluestein };
  Kind kind = Kind::kDirect;
  int64_t n = 0;
  std::vector<double> cos, sin;  // twiddles e^{-+2*pi*i*k/n} (kPow2, kDirect) or of length m
  // Bluestein: convolution length m (a power of two), the chirp e^{-+pi*i*j^2/n} (re, im
  // interleaved) and the FFT of the conjugate chirp filter.
  int64_t m = 0;
  std::vector<double> inv_cos, inv_sin;
  std::vector<double> chirp, filter_fft;
};

// Largest supported length (bigger requests are refused by the ops with a clear error).
constexpr int64_t kMaxLength = int64_t{1} << 22;

Plan make_plan(int64_t n, bool inverse);

// X[k] = sum_j x[j] * w^(j*k) for k < bins, with x given as n complex values (re, im); no 1/n
// scaling. `scratch` is reused between calls by one thread.
void transform(const Plan& plan, const double* re, const double* im, int64_t bins, double* out_re,
               double* out_im, std::vector<double>& scratch);

}  // namespace fogline::engine::ops::spectral
