// CastLike: Cast to the element type of the second input.
#include "engine/ops/math/cast_util.h"

namespace fogline::engine::ops {
namespace {

class CastLikeKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* like = ctx.input(1);
    if (!like) return invalid_argument("CastLike needs its target_type input");
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, like->dtype(), x.shape()));
    return cast_tensor(x, *y, "CastLike", ctx.threads());
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "CastLike", 15, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(CastLikeKernel));

}  // namespace fogline::engine::ops
