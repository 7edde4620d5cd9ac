// The element-wise binary contrib ops (com.microsoft QLinearAdd, QLinearMul): inputs
//   A, A_scale, A_zero_point?, B, B_scale, B_zero_point?, C_scale, C_zero_point?
// with numpy broadcasting; each operand is dequantised through a 256-entry table, combined
// in float, and requantised: C = saturate(round(combine(real_a, real_b) / C_scale) + C_zp).
#pragma once

#include <array>

#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {

// Combine is a functor: float operator()(float real_a, float real_b) const.
// When `full` has the output's shape and `small` equals it on the leading dims and is 1 on
// all the rest (ranks aligned on the right), the size of those trailing blocks; else 0.
inline int64_t block_broadcast(const Shape& out, const Shape& full, const Shape& small) {
  if (full != out || small.size() > out.size()) return 0;
  const size_t pad = out.size() - small.size();
  size_t k = out.size();
  while (k > pad && small[k - 1 - pad] == 1) --k;  // trailing ones of `small`
  for (size_t d = 0; d < k; ++d) {
    const int64_t sd = d < pad ? 1 : small[d - pad];
    if (sd != out[d]) return 0;
  }
  int64_t inner = 1;
  for (size_t d = k; d < out.size(); ++d) inner *= out[d];
  return k == out.size() ? 0 : inner;
}

// out[o * inner + i] = one(full[o * inner + i], small[o]); blocks of 256 or more elements go
// through a 256-entry table of `one` for that block's `small` value.
template <typename T, typename One>
void block_combine(const T* full, const T* small, T* out, int64_t outer, int64_t inner, const One& one,
                   int threads) {
#pragma omp parallel for if (outer * inner > 65536) num_threads(threads)
  for (int64_t o = 0; o < outer; ++o) {
    const T* src = full + o * inner;
    T* dst = out + o * inner;
    const T s = small[o];
    if (inner >= 256) {
      std::array<T, 256> table;
      for (int i = 0; i < 256; ++i) {
        table[static_cast<size_t>(i)] = one(static_cast<T>(static_cast<int>(std::numeric_limits<T>::min()) + i), s);
      }
      for (int64_t i = 0; i < inner; ++i) dst[i] = table[lut_index(src[i])];
    } else {
      for (int64_t i = 0; i < inner; ++i) dst[i] = one(src[i], s);
    }
  }
}

template <typename Combine>
class QLinearBinaryKernel : public Kernel {
 public:
  explicit QLinearBinaryKernel(const char* op) : op_(op) {}

  Status run(KernelContext& ctx) const override {
    const std::string op(op_);
    if (!ctx.input(0)) return invalid_argument(op + " input 0 is missing");
    const Tensor& a = *ctx.input(0);
    const Tensor* b = ctx.input(3);
    if (!b) return invalid_argument(op + " input B is missing");
    if (!is_q8(a.dtype()) || a.dtype() != b->dtype()) {
      return invalid_argument(op + " inputs must both be int8 or both uint8, got " + dtype_name(a.dtype()) + " and " +
                              dtype_name(b->dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(float a_scale, read_scalar_scale(ctx.input(1), op + " A_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t a_zp, read_scalar_zero_point(ctx.input(2), a.dtype(), op + " A_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float b_scale, read_scalar_scale(ctx.input(4), op + " B_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t b_zp, read_scalar_zero_point(ctx.input(5), a.dtype(), op + " B_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float c_scale, read_scalar_scale(ctx.input(6), op + " C_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t c_zp, read_scalar_zero_point(ctx.input(7), a.dtype(), op + " C_zero_point"));
    FOGLINE_TRY(check_positive_scales({a_scale, b_scale, c_scale}, op + " scales"));
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(a.shape(), b->shape()));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, a.dtype(), shape));

    return dispatch_types<uint8_t, int8_t>(a.dtype(), op_, [&]<typename T>() -> Status {
      std::array<float, 256> real_a, real_b;
      for (int i = 0; i < 256; ++i) {
        const int32_t q = static_cast<int32_t>(std::numeric_limits<T>::min()) + i;
        real_a[static_cast<size_t>(i)] = a_scale * static_cast<float>(q - a_zp);
        real_b[static_cast<size_t>(i)] = b_scale * static_cast<float>(q - b_zp);
      }
      const Requantizer<T> rq(c_zp);
      const Combine combine;
      const T* pa = a.data<T>();
      const T* pb = b->data<T>();
      T* out = y->data<T>();
      const int64_t n = numel(shape);
      auto one = [&](T va, T vb) { return rq(combine(real_a[lut_index(va)], real_b[lut_index(vb)]) / c_scale); };
      if (a.shape() == shape && b->shape() == shape) {
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
        for (int64_t i = 0; i < n; ++i) out[i] = one(pa[i], pb[i]);
      } else if (a.shape() == shape && b->numel() == 1) {
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
        for (int64_t i = 0; i < n; ++i) out[i] = one(pa[i], pb[0]);
      } else if (b->shape() == shape && a.numel() == 1) {
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
        for (int64_t i = 0; i < n; ++i) out[i] = one(pa[0], pb[i]);
      } else if (const int64_t inner = block_broadcast(shape, a.shape(), b->shape()); inner > 0) {
        // b holds one value per contiguous block of `inner` elements of a (a per-channel
        // scale [N,C,1,1] on [N,C,H,W]: squeeze-and-excitation): one table per block.
        block_combine(pa, pb, out, n / inner, inner, one, ctx.threads());
      } else if (const int64_t inner_b = block_broadcast(shape, b->shape(), a.shape()); inner_b > 0) {
        block_combine(pb, pa, out, n / inner_b, inner_b, [&](T vb, T va) { return one(va, vb); }, ctx.threads());
      } else {
        for_each_broadcast<2>(shape, {a.shape(), b->shape()},
                              [&](int64_t i, int64_t ia, int64_t ib) { out[i] = one(pa[ia], pb[ib]); });
      }
      return Status::ok();
    });
  }

 private:
  const char* op_;
};

}  // namespace fogline::engine::ops::quant
