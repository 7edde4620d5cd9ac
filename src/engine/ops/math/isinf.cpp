// IsInf: bool tensor marking +inf and/or -inf elements (detect_positive / detect_negative).
#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

class IsInfKernel : public Kernel {
 public:
  IsInfKernel(bool pos, bool neg) : pos_(pos), neg_(neg) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kBool, x.shape()));
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "IsInf", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      bool* out = y->data<bool>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const auto v = static_cast<compute_t<T>>(in[i]);
        out[i] = std::isinf(v) && (v > 0 ? pos_ : neg_);
      }
      return Status::ok();
    });
  }

 private:
  bool pos_, neg_;
};

Result<std::unique_ptr<Kernel>> make_isinf(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new IsInfKernel(info.attrs().get_int("detect_positive", 1) != 0,
                                                 info.attrs().get_int("detect_negative", 1) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "IsInf", 10, 1000, Backend::kReference, make_isinf);

}  // namespace fogline::engine::ops
