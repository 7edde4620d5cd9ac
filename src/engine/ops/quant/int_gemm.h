// The int16 micro-kernel under the integer convolutions and matrix products: 4 rows of
// int16 "weights" against one block of 8 columns, K consumed in pairs. SSE2's pmaddwd
// (baseline on x86-64) does two multiply-adds per 32-bit lane, and the 4 x 8 int32
// accumulators stay in registers for the whole K loop. Other targets run the same layout in
// plain C++.
//
// Layouts: a weight row is K int16 values rounded up to even (zero padded); a column block is
// k_pairs x 16 int16, element (k, j) of the block at (k / 2) * 16 + j * 2 + k % 2.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fogline::engine::ops::quant {

// K rounded up to even: the length of a packed weight row.
inline int64_t packed_k(int64_t k) { return k + (k & 1); }

namespace detail {

constexpr int64_t kBlockM = 4;  // rows per micro-kernel call

// Two consecutive int16 weights as one 32-bit lane (memcpy: no aliasing games).
inline int32_t weight_pair(const int16_t* w, int64_t kp) {
  int32_t v;
  std::memcpy(&v, w + 2 * kp, sizeof(v));
  return v;
}

// acc[b][0..8) = sum over K pairs of channel b's weight pairs x one 8-position block of col
// (k_pairs x 16 int16, contiguous). `w[b]` points at channel b's packed weights.
inline void gemm_4x8(const int16_t* const w[kBlockM], const int16_t* col, int64_t k_pairs, int32_t acc[kBlockM][8]) {
#if defined(__SSE2__)
  __m128i a00 = _mm_setzero_si128(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  for (int64_t kp = 0; kp < k_pairs; ++kp) {
    const int16_t* c = col + kp * 16;
    const __m128i c0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c));
    const __m128i c1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + 8));
    const __m128i w0 = _mm_set1_epi32(weight_pair(w[0], kp)), w1 = _mm_set1_epi32(weight_pair(w[1], kp));
    const __m128i w2 = _mm_set1_epi32(weight_pair(w[2], kp)), w3 = _mm_set1_epi32(weight_pair(w[3], kp));
    a00 = _mm_add_epi32(a00, _mm_madd_epi16(c0, w0));
    a01 = _mm_add_epi32(a01, _mm_madd_epi16(c1, w0));
    a10 = _mm_add_epi32(a10, _mm_madd_epi16(c0, w1));
    a11 = _mm_add_epi32(a11, _mm_madd_epi16(c1, w1));
    a20 = _mm_add_epi32(a20, _mm_madd_epi16(c0, w2));
    a21 = _mm_add_epi32(a21, _mm_madd_epi16(c1, w2));
    a30 = _mm_add_epi32(a30, _mm_madd_epi16(c0, w3));
    a31 = _mm_add_epi32(a31, _mm_madd_epi16(c1, w3));
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[0]), a00);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[0] + 4), a01);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[1]), a10);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[1] + 4), a11);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[2]), a20);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[2] + 4), a21);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[3]), a30);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(acc[3] + 4), a31);
#else
  std::memset(acc, 0, sizeof(int32_t) * kBlockM * 8);
  for (int64_t kp = 0; kp < k_pairs; ++kp) {
    const int16_t* c = col + kp * 16;
    for (int64_t b = 0; b < kBlockM; ++b) {
      const int32_t w_lo = w[b][2 * kp], w_hi = w[b][2 * kp + 1];
      for (int p = 0; p < 8; ++p) acc[b][p] += w_lo * c[2 * p] + w_hi * c[2 * p + 1];
    }
  }
#endif
}

}  // namespace detail
}  // namespace fogline::engine::ops::quant
