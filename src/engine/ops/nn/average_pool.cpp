// AveragePool (opset 1+): mean over each window; count_include_pad divides by the window's
// positions inside the padded extent, otherwise by the real input positions it covers.
#include "engine/ops/nn/pool_util.h"

namespace fogline::engine::ops::nn {
namespace {

class AveragePoolKernel : public Kernel {
 public:
  AveragePoolKernel(Window w, bool include_pad) : window_(std::move(w)), include_pad_(include_pad) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    Window w = window_;
    std::vector<int64_t> in, out;
    FOGLINE_ASSIGN_OR_RETURN(Shape yshape, pool_output_shape(x, w, "AveragePool", &in, &out));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
    const PoolPlan plan(in, out, w);
    const int64_t planes = x.dim(0) * x.dim(1);
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "AveragePool", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
      const int64_t total = planes * plan.out_size;
#pragma omp parallel for if (total > 4096) num_threads(ctx.threads())
      for (int64_t i = 0; i < total; ++i) {
        const int64_t plane = i / plan.out_size, o = i % plan.out_size;
        const T* xp = px + plane * plan.in_size;
        C sum = 0;
        int64_t count = plan.for_each_tap(o, [&](int64_t off, const int64_t*) { sum += static_cast<C>(xp[off]); });
        if (include_pad_) count = plan.padded_count(o);
        py[i] = T(count > 0 ? sum / static_cast<C>(count) : C(0));
      }
      return Status::ok();
    });
  }

 private:
  Window window_;
  bool include_pad_;
};

Result<std::unique_ptr<Kernel>> make_average_pool(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(Window w, read_window(info.attrs()));
  if (w.kernel.empty()) return invalid_argument("AveragePool needs the kernel_shape attribute");
  return std::unique_ptr<Kernel>(
      new AveragePoolKernel(std::move(w), info.attrs().get_int("count_include_pad", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "AveragePool", 1, 1000, Backend::kReference, make_average_pool);

}  // namespace fogline::engine::ops::nn
