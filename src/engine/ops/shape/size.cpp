// Size: the input's element count as an int64 scalar.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class SizeKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt64, {}));
    y->data<int64_t>()[0] = x.numel();
    return Status::ok();
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Size", 1, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(SizeKernel));

}  // namespace fogline::engine::ops
