// QLinearMatMul: an 8-bit matrix product (numpy matmul shapes) requantised with
//   y = saturate(round(acc * a_scale[m] * b_scale[n] / y_scale) + y_zero_point)
// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point.
// a's scale/zero point are per-tensor or per row, b's per-tensor or per column.
#include "engine/ops/quant/int_matmul.h"

namespace fogline::engine::ops::quant {
namespace {

class QLinearMatMulKernel : public Kernel {
 public:
  explicit QLinearMatMulKernel(std::vector<int16_t> packed) : packed_(std::move(packed)) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("QLinearMatMul input 0 is missing");
    const Tensor& a = *ctx.input(0);
    const Tensor* b = ctx.input(3);
    if (!b) return invalid_argument("QLinearMatMul input b is missing");
    if (!is_q8(a.dtype()) || !is_q8(b->dtype())) {
      return invalid_argument(std::string("QLinearMatMul inputs must be int8 or uint8, got ") + dtype_name(a.dtype()) +
                              " and " + dtype_name(b->dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(MatMulGeometry g, matmul_geometry(a.shape(), b->shape(), "QLinearMatMul"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> a_scale, read_scales(ctx.input(1), "QLinearMatMul a_scale"));
    FOGLINE_ASSIGN_OR_RETURN(a_scale, expand_param(std::move(a_scale), g.m, "QLinearMatMul a_scale (per row of a)"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> a_zp, read_zero_points(ctx.input(2), a.dtype(), "QLinearMatMul a_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(a_zp, expand_param(std::move(a_zp), g.m, "QLinearMatMul a_zero_point (per row of a)"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> b_scale, read_scales(ctx.input(4), "QLinearMatMul b_scale"));
    FOGLINE_ASSIGN_OR_RETURN(b_scale, expand_param(std::move(b_scale), g.n, "QLinearMatMul b_scale (per column of b)"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> b_zp, read_zero_points(ctx.input(5), b->dtype(), "QLinearMatMul b_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(b_zp, expand_param(std::move(b_zp), g.n, "QLinearMatMul b_zero_point (per column of b)"));
    FOGLINE_ASSIGN_OR_RETURN(float y_scale, read_scalar_scale(ctx.input(6), "QLinearMatMul y_scale"));
    const Tensor* y_zp_t = ctx.input(7);
    const DataType y_type = y_zp_t ? y_zp_t->dtype() : a.dtype();
    if (!is_q8(y_type)) {
      return invalid_argument(std::string("QLinearMatMul y_zero_point must be int8 or uint8, got ") + dtype_name(y_type));
    }
    FOGLINE_ASSIGN_OR_RETURN(int32_t y_zp, read_scalar_zero_point(y_zp_t, y_type, "QLinearMatMul y_zero_point"));
    FOGLINE_TRY(check_positive_scales(a_scale, "QLinearMatMul a_scale"));
    FOGLINE_TRY(check_positive_scales(b_scale, "QLinearMatMul b_scale"));
    FOGLINE_TRY(check_positive_scales({y_scale}, "QLinearMatMul y_scale"));

    std::vector<int16_t> runtime_packed;
    const int16_t* bp = packed_.data();
    if (packed_.empty()) {
      FOGLINE_TRY((dispatch_types<uint8_t, int8_t>(b->dtype(), "QLinearMatMul", [&]<typename TB>() -> Status {
        runtime_packed = pack_matmul_b<TB>(*b, b_zp, g.n);
        return Status::ok();
      })));
      bp = runtime_packed.data();
    }
    // b_scale / y_scale per column, times a_scale per row in the epilogue.
    std::vector<float> col_mult(static_cast<size_t>(g.n));
    for (size_t j = 0; j < col_mult.size(); ++j) col_mult[j] = b_scale[j] / y_scale;
    const bool per_tensor = std::all_of(a_scale.begin(), a_scale.end(), [&](float s) { return s == a_scale[0]; }) &&
                            std::all_of(b_scale.begin(), b_scale.end(), [&](float s) { return s == b_scale[0]; });
    // Per-tensor: one multiplier computed as a_scale * b_scale / y_scale, as ONNX Runtime does.
    const float single = a_scale[0] * b_scale[0] / y_scale;

    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, y_type, g.out_shape));
    return dispatch_types<uint8_t, int8_t>(a.dtype(), "QLinearMatMul", [&]<typename TA>() -> Status {
      return dispatch_types<uint8_t, int8_t>(y_type, "QLinearMatMul", [&]<typename TY>() -> Status {
        TY* out = y->data<TY>();
        const Requantizer<TY> rq(y_zp);
        int_matmul(a.data<TA>(), a_zp, bp, g, ctx.threads(),
                   [&](int64_t bi, int64_t m, int64_t n0, int64_t cnt, const int32_t* acc) {
                     TY* dst = out + (bi * g.m + m) * g.n + n0;
                     if (per_tensor) {
                       rq.requantize_row(acc, 0, single, dst, cnt);
                     } else {
                       const float as = a_scale[static_cast<size_t>(m)];
                       for (int64_t j = 0; j < cnt; ++j) {
                         dst[j] = rq(static_cast<float>(acc[j]) * (as * col_mult[static_cast<size_t>(n0 + j)]));
                       }
                     }
                   });
        return Status::ok();
      });
    });
  }

 private:
  std::vector<int16_t> packed_;  // constant b, packed at load time; empty otherwise
};

Result<std::unique_ptr<Kernel>> make_qlinear_matmul(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new QLinearMatMulKernel(prepack_matmul_b(info, 3, 5)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "QLinearMatMul", 10, 1000, Backend::kReference, make_qlinear_matmul);

}  // namespace fogline::engine::ops::quant
