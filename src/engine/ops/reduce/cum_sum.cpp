// CumSum: running sums along the axis given by a scalar input; `exclusive` leaves out the
// current element, `reverse` runs from the end.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class CumSumKernel : public Kernel {
 public:
  CumSumKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (!ctx.input(1)) return invalid_argument("CumSum needs an 'axis' input");
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> av, read_int64s(*ctx.input(1), "CumSum axis"));
    if (av.size() != 1) return invalid_argument("CumSum axis must be a scalar, got " + std::to_string(av.size()) + " values");
    if (x.rank() == 0) return invalid_argument("CumSum input must have rank >= 1, got a scalar");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(av[0], x.rank(), ctx));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    if (x.numel() == 0) return Status::ok();
    const int64_t n = x.dim(axis);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    return dispatch_types<FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t>(
        x.dtype(), "CumSum", [&]<typename T>() -> Status {
          using C = compute_t<T>;
          const T* in = x.data<T>();
          T* out = y->data<T>();
          const int64_t total = outer * inner;
#pragma omp parallel for if (x.numel() > 65536 && total > 1) num_threads(ctx.threads())
          for (int64_t t = 0; t < total; ++t) {
            const int64_t base = (t / inner) * n * inner + t % inner;
            C acc = C(0);
            for (int64_t s = 0; s < n; ++s) {
              const int64_t j = reverse_ ? n - 1 - s : s;
              const C v = static_cast<C>(in[base + j * inner]);
              if (!exclusive_) acc += v;
              out[base + j * inner] = T(acc);
              if (exclusive_) acc += v;
            }
          }
          return Status::ok();
        });
  }

 private:
  bool exclusive_;
  bool reverse_;
};

Result<std::unique_ptr<Kernel>> make_cum_sum(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new CumSumKernel(info.attrs().get_int("exclusive", 0) != 0,
                                                  info.attrs().get_int("reverse", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "CumSum", 11, 1000, Backend::kReference, make_cum_sum);

}  // namespace fogline::engine::ops
