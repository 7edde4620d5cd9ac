// Expand: broadcasts the input to `shape` numpy-style in both directions (a 1 in `shape`
// keeps the input's dim).
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ExpandKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (!ctx.input(1)) return invalid_argument("Expand needs a 'shape' input");
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> spec, read_int64s(*ctx.input(1), "Expand shape"));
    for (int64_t d : spec) {
      if (d < 0) return invalid_argument("Expand shape " + shape_to_string(spec) + " has a negative dimension");
    }
    FOGLINE_ASSIGN_OR_RETURN(Shape out_shape, broadcast_shapes(x.shape(), spec));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    if (y->numel() == 0) return Status::ok();
    const std::vector<int64_t> strides = broadcast_strides(x.shape(), out_shape);
    return dispatch_by_width(x.dtype(), "Expand", [&]<typename T>() -> Status {
      strided_copy<T>(x.data<T>(), 0, out_shape, strides, y->data<T>(), ctx.threads());
      return Status::ok();
    });
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Expand", 8, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(ExpandKernel));

}  // namespace fogline::engine::ops
