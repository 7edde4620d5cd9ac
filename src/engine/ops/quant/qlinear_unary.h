// The element-wise unary contrib ops (com.microsoft QLinearSigmoid, QLinearLeakyRelu):
// inputs X, X_scale, X_zero_point?, Y_scale, Y_zero_point?; per 8-bit input value the
// output is quantize(f(dequantize(x))), precomputed once per run as a 256-entry table.
#pragma once

#include <functional>

#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {

class QLinearUnaryKernel : public Kernel {
 public:
  QLinearUnaryKernel(const char* op, std::function<float(float)> f) : op_(op), f_(std::move(f)) {}

  Status run(KernelContext& ctx) const override {
    const std::string op(op_);
    if (!ctx.input(0)) return invalid_argument(op + " input 0 is missing");
    const Tensor& x = *ctx.input(0);
    if (!is_q8(x.dtype())) {
      return invalid_argument(op + " input must be int8 or uint8, got " + dtype_name(x.dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(float x_scale, read_scalar_scale(ctx.input(1), op + " X_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t x_zp, read_scalar_zero_point(ctx.input(2), x.dtype(), op + " X_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float y_scale, read_scalar_scale(ctx.input(3), op + " Y_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t y_zp, read_scalar_zero_point(ctx.input(4), x.dtype(), op + " Y_zero_point"));
    FOGLINE_TRY(check_positive_scales({x_scale, y_scale}, op + " scales"));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    return dispatch_types<uint8_t, int8_t>(x.dtype(), op_, [&]<typename T>() -> Status {
      const std::vector<T> lut = build_lut<T>(x_scale, x_zp, y_scale, y_zp, f_);
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const int64_t n = x.numel();
#pragma omp parallel for if (n > 262144) num_threads(ctx.threads())
      for (int64_t i = 0; i < n; ++i) out[i] = lut[lut_index(in[i])];
      return Status::ok();
    });
  }

 private:
  const char* op_;
  std::function<float(float)> f_;
};

}  // namespace fogline::engine::ops::quant
