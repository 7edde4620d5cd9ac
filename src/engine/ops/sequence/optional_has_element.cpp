// OptionalHasElement: whether the optional holds a value. From opset 18 the input may also be
// a plain tensor or sequence (which is present) or omitted (absent).
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class OptionalHasElementKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    bool present = false;
    if (const Tensor* t = ctx.input(0)) {
      const OptionalValue* o = as_optional(*t);
      present = o ? o->present : true;
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DataType::kBool, {}));
    out->data<bool>()[0] = present;
    return Status::ok();
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "OptionalHasElement", 15, 1000, Backend::kReference,
                        FOGLINE_SIMPLE_FACTORY(OptionalHasElementKernel));

}  // namespace fogline::engine::ops
