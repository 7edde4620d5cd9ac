// Clip: bounds come from the min/max attributes before opset 11 and from optional scalar
// inputs from 11 on (integer types since 12). A missing bound means unbounded.
#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

class ClipKernel : public Kernel {
 public:
  ClipKernel(bool bounds_from_inputs, float attr_min, float attr_max)
      : from_inputs_(bounds_from_inputs), attr_min_(attr_min), attr_max_(attr_max) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    for (int k = 1; k <= 2 && from_inputs_; ++k) {
      const Tensor* b = ctx.input(k);
      if (!b) continue;
      if (b->numel() != 1) {
        return invalid_argument(std::string("Clip ") + (k == 1 ? "min" : "max") + " must be a scalar, got shape " +
                                shape_to_string(b->shape()));
      }
      if (b->dtype() != x.dtype()) {
        return invalid_argument(std::string("Clip ") + (k == 1 ? "min" : "max") + " must have the input's type " +
                                dtype_name(x.dtype()) + ", got " + dtype_name(b->dtype()));
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(x.dtype(), "Clip", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      C lo = std::numeric_limits<C>::lowest();
      C hi = std::numeric_limits<C>::max();
      if constexpr (std::is_floating_point_v<C>) {
        lo = -std::numeric_limits<C>::infinity();
        hi = std::numeric_limits<C>::infinity();
      }
      if (from_inputs_) {
        if (const Tensor* b = ctx.input(1)) lo = static_cast<C>(b->data<T>()[0]);
        if (const Tensor* b = ctx.input(2)) hi = static_cast<C>(b->data<T>()[0]);
      } else {
        lo = static_cast<C>(attr_min_);
        hi = static_cast<C>(attr_max_);
      }
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const int64_t n = x.numel();
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
      for (int64_t i = 0; i < n; ++i) {
        const C v = static_cast<C>(in[i]);
        // min then max, as the spec defines it (so min > max yields max).
        out[i] = T(std::min(std::max(v, lo), hi));
      }
      return Status::ok();
    });
  }

 private:
  bool from_inputs_;
  float attr_min_, attr_max_;
};

Result<std::unique_ptr<Kernel>> make_clip(const KernelBuildInfo& info) {
  const float inf = std::numeric_limits<float>::infinity();
  return std::unique_ptr<Kernel>(new ClipKernel(info.opset() >= 11, info.attrs().get_float("min", -inf),
                                                info.attrs().get_float("max", inf)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Clip", 1, 1000, Backend::kReference, make_clip);

}  // namespace fogline::engine::ops
