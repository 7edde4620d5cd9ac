// LpPool (opset 1+): (sum over the window of |x|^p)^(1/p); padding contributes zero.
#include "engine/ops/nn/pool_util.h"

namespace fogline::engine::ops::nn {
namespace {

class LpPoolKernel : public Kernel {
 public:
  LpPoolKernel(Window w, double p) : window_(std::move(w)), p_(p) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    Window w = window_;
    std::vector<int64_t> in, out;
    FOGLINE_ASSIGN_OR_RETURN(Shape yshape, pool_output_shape(x, w, "LpPool", &in, &out));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
    const PoolPlan plan(in, out, w);
    const int64_t planes = x.dim(0) * x.dim(1);
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "LpPool", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
      const C p = static_cast<C>(p_);
      const int64_t total = planes * plan.out_size;
#pragma omp parallel for if (total > 4096) num_threads(ctx.threads())
      for (int64_t i = 0; i < total; ++i) {
        const int64_t plane = i / plan.out_size, o = i % plan.out_size;
        const T* xp = px + plane * plan.in_size;
        C sum = 0;
        plan.for_each_tap(o, [&](int64_t off, const int64_t*) {
          sum += std::pow(std::abs(static_cast<C>(xp[off])), p);
        });
        py[i] = T(std::pow(sum, C(1) / p));
      }
      return Status::ok();
    });
  }

 private:
  Window window_;
  double p_;
};

Result<std::unique_ptr<Kernel>> make_lp_pool(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(Window w, read_window(info.attrs()));
  if (w.kernel.empty()) return invalid_argument("LpPool needs the kernel_shape attribute");
  // Opset 1 stored p as a float; later opsets as an int.
  const Attribute* a = info.attrs().find("p");
  double p = 2.0;
  if (a) p = a->kind == Attribute::Kind::kFloat ? a->f : static_cast<double>(a->i);
  if (!(p > 0)) return invalid_argument("LpPool p must be positive, got " + std::to_string(p));
  return std::unique_ptr<Kernel>(new LpPoolKernel(std::move(w), p));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "LpPool", 1, 1000, Backend::kReference, make_lp_pool);

}  // namespace fogline::engine::ops::nn
