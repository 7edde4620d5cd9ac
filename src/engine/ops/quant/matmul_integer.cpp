// MatMulInteger: y[int32] = matmul(a - a_zero_point, b - b_zero_point) with numpy matmul
// shapes; a, b int8 or uint8. a_zero_point is per-tensor or per row of A (M values),
// b_zero_point per-tensor or per column of B (N values).
#include "engine/ops/quant/int_matmul.h"

namespace fogline::engine::ops::quant {
namespace {

class MatMulIntegerKernel : public Kernel {
 public:
  explicit MatMulIntegerKernel(std::vector<int16_t> packed) : packed_(std::move(packed)) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("MatMulInteger input 0 is missing");
    const Tensor& a = *ctx.input(0);
    const Tensor* b = ctx.input(1);
    if (!b) return invalid_argument("MatMulInteger input B is missing");
    if (!is_q8(a.dtype()) || !is_q8(b->dtype())) {
      return invalid_argument(std::string("MatMulInteger inputs must be int8 or uint8, got ") + dtype_name(a.dtype()) +
                              " and " + dtype_name(b->dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(MatMulGeometry g, matmul_geometry(a.shape(), b->shape(), "MatMulInteger"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> a_zp, read_zero_points(ctx.input(2), a.dtype(), "MatMulInteger a_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(a_zp, expand_param(std::move(a_zp), g.m, "MatMulInteger a_zero_point (per row of A)"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> b_zp, read_zero_points(ctx.input(3), b->dtype(), "MatMulInteger b_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(b_zp, expand_param(std::move(b_zp), g.n, "MatMulInteger b_zero_point (per column of B)"));

    std::vector<int16_t> runtime_packed;
    const int16_t* bp = packed_.data();
    if (packed_.empty()) {
      FOGLINE_TRY((dispatch_types<uint8_t, int8_t>(b->dtype(), "MatMulInteger", [&]<typename TB>() -> Status {
        runtime_packed = pack_matmul_b<TB>(*b, b_zp, g.n);
        return Status::ok();
      })));
      bp = runtime_packed.data();
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt32, g.out_shape));
    int32_t* out = y->data<int32_t>();
    return dispatch_types<uint8_t, int8_t>(a.dtype(), "MatMulInteger", [&]<typename TA>() -> Status {
      int_matmul(a.data<TA>(), a_zp, bp, g, ctx.threads(),
                 [&](int64_t bi, int64_t m, int64_t n0, int64_t cnt, const int32_t* acc) {
                   std::copy(acc, acc + cnt, out + (bi * g.m + m) * g.n + n0);
                 });
      return Status::ok();
    });
  }

 private:
  std::vector<int16_t> packed_;  // constant B, packed at load time; empty otherwise
};

Result<std::unique_ptr<Kernel>> make_matmul_integer(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new MatMulIntegerKernel(prepack_matmul_b(info, 1, 3)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MatMulInteger", 10, 1000, Backend::kReference, make_matmul_integer);

}  // namespace fogline::engine::ops::quant
