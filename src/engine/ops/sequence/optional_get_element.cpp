// OptionalGetElement: the optional's tensor or sequence; an error when it is empty. From
// opset 18 a plain tensor or sequence input passes through.
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class OptionalGetElementKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor* t = ctx.input(0);
    if (!t) return invalid_argument("input is missing");
    const OptionalValue* o = as_optional(*t);
    if (!o) return ctx.set_output(0, *t);
    if (!o->present) return invalid_argument("the optional input is empty (it holds no element to get)");
    if (o->holds_sequence) return ctx.set_output(0, box_sequence(o->sequence));
    return ctx.set_output(0, o->tensor);
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "OptionalGetElement", 15, 1000, Backend::kReference,
                        FOGLINE_SIMPLE_FACTORY(OptionalGetElementKernel));

}  // namespace fogline::engine::ops
