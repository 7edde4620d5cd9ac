// IsNaN: bool tensor marking NaN elements.
#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

class IsNaNKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kBool, x.shape()));
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "IsNaN", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      bool* out = y->data<bool>();
      for (int64_t i = 0; i < x.numel(); ++i) out[i] = std::isnan(static_cast<compute_t<T>>(in[i]));
      return Status::ok();
    });
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "IsNaN", 9, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(IsNaNKernel));

}  // namespace fogline::engine::ops
