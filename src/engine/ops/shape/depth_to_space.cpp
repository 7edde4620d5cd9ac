// DepthToSpace: [N, C, H, W] -> [N, C/(b*b), H*b, W*b], moving channel blocks into space.
// DCR (default) takes the block offsets from the outer channel bits, CRD (opset 11) from the
// inner ones. Written as one strided copy: the output seen as [N, C', H, b, W, b].
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class DepthToSpaceKernel : public Kernel {
 public:
  DepthToSpaceKernel(int64_t block, bool crd) : block_(block), crd_(crd) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const int64_t b = block_;
    if (x.rank() != 4) return invalid_argument("DepthToSpace input must be 4-D, got " + shape_to_string(x.shape()));
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    // Divide step by step so that a huge blocksize cannot overflow b * b.
    if (c % b != 0 || (c / b) % b != 0) {
      return invalid_argument("DepthToSpace channels " + std::to_string(c) + " are not divisible by blocksize^2 (blocksize " +
                              std::to_string(b) + ")");
    }
    const int64_t oc = c / b / b;
    const Shape out_shape = {n, oc, h * b, w * b};
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    if (y->numel() == 0) return Status::ok();
    const int64_t hw = h * w;
    // Input strides of (oc, b1, b2) within the channel dim.
    const int64_t s_oc = crd_ ? b * b * hw : hw;
    const int64_t s_b1 = crd_ ? b * hw : b * oc * hw;
    const int64_t s_b2 = crd_ ? hw : oc * hw;
    const Shape view = {n, oc, h, b, w, b};
    const std::vector<int64_t> strides = {c * hw, s_oc, w, s_b1, 1, s_b2};
    return dispatch_by_width(x.dtype(), "DepthToSpace", [&]<typename T>() -> Status {
      strided_copy<T>(x.data<T>(), 0, view, strides, y->data<T>(), ctx.threads());
      return Status::ok();
    });
  }

 private:
  int64_t block_;
  bool crd_;
};

Result<std::unique_ptr<Kernel>> make_depth_to_space(const KernelBuildInfo& info) {
  const int64_t block = info.attrs().get_int("blocksize", 0);
  if (block <= 0) return invalid_argument("DepthToSpace needs a positive 'blocksize', got " + std::to_string(block));
  const std::string mode = info.attrs().get_string("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") return invalid_argument("DepthToSpace mode '" + mode + "' is not DCR or CRD");
  return std::unique_ptr<Kernel>(new DepthToSpaceKernel(block, mode == "CRD"));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "DepthToSpace", 1, 1000, Backend::kReference, make_depth_to_space);

}  // namespace fogline::engine::ops
