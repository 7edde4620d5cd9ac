// Identity: copies its input (the output may not alias it: the planner owns both buffers).
#include <cstring>

#include "engine/ops/op_util.h"
#include "engine/value.h"

namespace fogline::engine::ops {
namespace {

class IdentityKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    // Sequences and optionals are immutable boxes: the output shares the input's.
    if (is_boxed_dtype(x.dtype())) return ctx.set_output(0, x);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    if (x.dtype() == DataType::kString) {
      for (int64_t i = 0; i < x.numel(); ++i) y->data<std::string>()[i] = x.data<std::string>()[i];
    } else if (x.nbytes()) {
      std::memcpy(y->raw(), x.raw(), x.nbytes());
    }
    return Status::ok();
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Identity", 1, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(IdentityKernel));

}  // namespace fogline::engine::ops
