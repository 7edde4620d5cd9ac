// PRelu: x < 0 ? x * slope : x. From opset 7 the slope broadcasts to X numpy-style
// (unidirectionally: the output has X's shape). Before that, models (e.g. PyTorch exports)
// give a per-channel slope of shape [C] for X of shape [N, C, ...], meaning axis 1.
#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

class PReluKernel : public Kernel {
 public:
  explicit PReluKernel(bool legacy_channel_slope) : legacy_(legacy_channel_slope) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* slope_in = ctx.input(1);
    if (!slope_in) return invalid_argument("PRelu needs a slope input");
    Tensor slope = *slope_in;
    if (slope.dtype() != x.dtype()) {
      return invalid_argument(std::string("PRelu slope must have X's type ") + dtype_name(x.dtype()) + ", got " +
                              dtype_name(slope.dtype()));
    }
    if (legacy_ && slope.rank() == 1 && x.rank() >= 2 && slope.dim(0) == x.dim(1) && slope.dim(0) != 1) {
      Shape s(static_cast<size_t>(x.rank() - 1), 1);
      s[0] = slope.dim(0);
      slope = slope.reshaped(s);
    }
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(x.shape(), slope.shape()));
    if (shape != x.shape()) {
      return invalid_argument("PRelu slope of shape " + shape_to_string(slope.shape()) +
                              " does not broadcast to X's shape " + shape_to_string(x.shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), shape));
    return dispatch_types<FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t>(
        x.dtype(), "PRelu", [&]<typename T>() -> Status {
          using C = compute_t<T>;
          const T* px = x.data<T>();
          const T* ps = slope.data<T>();
          T* out = y->data<T>();
          for_each_broadcast<2>(shape, {x.shape(), slope.shape()}, [&](int64_t i, int64_t ix, int64_t is) {
            const C v = static_cast<C>(px[ix]);
            out[i] = T(v < C(0) ? C(v * static_cast<C>(ps[is])) : v);
          });
          return Status::ok();
        });
  }

 private:
  bool legacy_;
};

Result<std::unique_ptr<Kernel>> make_prelu(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new PReluKernel(info.opset() < 7));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "PRelu", 1, 1000, Backend::kReference, make_prelu);

}  // namespace fogline::engine::ops
