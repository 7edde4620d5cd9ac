// SpaceToDepth: [N, C, H, W] -> [N, C*b*b, H/b, W/b]; output channel (b1*b + b2)*C + c holds
// pixel (h*b + b1, w*b + b2) of channel c. One strided copy over the output seen as
// [N, b, b, C, H/b, W/b].
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class SpaceToDepthKernel : public Kernel {
 public:
  explicit SpaceToDepthKernel(int64_t block) : block_(block) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const int64_t b = block_;
    if (x.rank() != 4) return invalid_argument("SpaceToDepth input must be 4-D, got " + shape_to_string(x.shape()));
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    if (h % b != 0 || w % b != 0 || b > (int64_t{1} << 20)) {
      return invalid_argument("SpaceToDepth spatial dims " + shape_to_string(x.shape()) +
                              " are not divisible by blocksize " + std::to_string(b));
    }
    const int64_t oh = h / b, ow = w / b;
    int64_t oc = 0;
    if (__builtin_mul_overflow(c, b * b, &oc)) return invalid_argument("SpaceToDepth output channels overflow");
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), {n, oc, oh, ow}));
    if (y->numel() == 0) return Status::ok();
    const Shape view = {n, b, b, c, oh, ow};
    const std::vector<int64_t> strides = {c * h * w, w, 1, h * w, b * w, b};
    return dispatch_by_width(x.dtype(), "SpaceToDepth", [&]<typename T>() -> Status {
      strided_copy<T>(x.data<T>(), 0, view, strides, y->data<T>(), ctx.threads());
      return Status::ok();
    });
  }

 private:
  int64_t block_;
};

Result<std::unique_ptr<Kernel>> make_space_to_depth(const KernelBuildInfo& info) {
  const int64_t block = info.attrs().get_int("blocksize", 0);
  if (block <= 0) return invalid_argument("SpaceToDepth needs a positive 'blocksize', got " + std::to_string(block));
  return std::unique_ptr<Kernel>(new SpaceToDepthKernel(block));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SpaceToDepth", 1, 1000, Backend::kReference, make_space_to_depth);

}  // namespace fogline::engine::ops
