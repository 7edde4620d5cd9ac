// Gemm (opset 1+): Y = alpha * op(A) * op(B) + beta * C, C broadcast to [M, N] (optional from
// opset 11), then any fused post-ops.
#include "engine/ops/nn/nn_util.h"
#include "engine/ops/post_ops.h"

namespace fogline::engine::ops::nn {
namespace {

class GemmKernel : public Kernel {
 public:
  GemmKernel(bool ta, bool tb, float alpha, float beta) : ta_(ta), tb_(tb), alpha_(alpha), beta_(beta) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor* bp = ctx.input(1);
    const Tensor* c = ctx.input(2);
    if (!bp) return invalid_argument("Gemm needs inputs A and B");
    const Tensor& b = *bp;
    if (a.rank() != 2 || b.rank() != 2) {
      return invalid_argument("Gemm expects 2-D A and B, got " + shape_to_string(a.shape()) + " and " +
                              shape_to_string(b.shape()));
    }
    if (a.dtype() != b.dtype() || (c && c->dtype() != a.dtype())) {
      return invalid_argument("Gemm inputs must share one element type");
    }
    const int64_t M = ta_ ? a.dim(1) : a.dim(0), K = ta_ ? a.dim(0) : a.dim(1);
    const int64_t N = tb_ ? b.dim(0) : b.dim(1), Kb = tb_ ? b.dim(1) : b.dim(0);
    if (K != Kb) {
      return invalid_argument("Gemm inner dimensions differ: A " + shape_to_string(a.shape()) + (ta_ ? "^T" : "") +
                              " x B " + shape_to_string(b.shape()) + (tb_ ? "^T" : ""));
    }
    const Shape yshape = {M, N};
    std::vector<int64_t> cstrides;
    if (c) {
      if (c->rank() > 2) return invalid_argument("Gemm C must have rank <= 2, got " + shape_to_string(c->shape()));
      auto bs = broadcast_shapes(c->shape(), yshape);
      if (!bs.is_ok() || *bs != yshape) {
        return invalid_argument("Gemm C " + shape_to_string(c->shape()) + " cannot be broadcast to " +
                                shape_to_string(yshape));
      }
      cstrides = broadcast_strides(c->shape(), yshape);
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, a.dtype(), yshape));
    Status st = dispatch_types<FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t>(
        a.dtype(), "Gemm", [&]<typename T>() -> Status {
          using C = compute_t<T>;
          std::vector<C> abuf, bbuf, cbuf, ybuf;
          const C* pa = compute_data<T>(a, abuf);
          const C* pb = compute_data<T>(b, bbuf);
          C* py = compute_output<T>(*y, ybuf);
          const C alpha = static_cast<C>(alpha_), beta = static_cast<C>(beta_);
          const bool with_c = c && beta_ != 0.0f;
          if (with_c) {
            const C* pc = compute_data<T>(*c, cbuf);
            for (int64_t i = 0; i < M; ++i)
              for (int64_t j = 0; j < N; ++j) py[i * N + j] = beta * pc[i * cstrides[0] + j * cstrides[1]];
          }
          if (K == 0) {
            if (!with_c) std::fill(py, py + M * N, C(0));
          } else {
            gemm<C>(ta_, tb_, M, N, K, alpha, pa, a.dim(1), pb, b.dim(1), with_c ? C(1) : C(0), py, N,
                    ctx.threads());
          }
          store_output<T>(*y, ybuf);
          return Status::ok();
        });
    if (!st.is_ok()) return st;
    return apply_post_ops(ctx, *y);
  }

 private:
  bool ta_, tb_;
  float alpha_, beta_;
};

Result<std::unique_ptr<Kernel>> make_gemm(const KernelBuildInfo& info) {
  const Attributes& at = info.attrs();
  return std::unique_ptr<Kernel>(new GemmKernel(at.get_int("transA", 0) != 0, at.get_int("transB", 0) != 0,
                                                at.get_float("alpha", 1.0f), at.get_float("beta", 1.0f)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Gemm", 1, 1000, Backend::kReference, make_gemm);

}  // namespace fogline::engine::ops::nn
