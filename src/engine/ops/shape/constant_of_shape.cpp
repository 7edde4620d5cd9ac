// ConstantOfShape: a tensor of the given shape filled with the one-element 'value' attribute
// (float32 0 by default).
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ConstantOfShapeKernel : public Kernel {
 public:
  explicit ConstantOfShapeKernel(Tensor value) : value_(std::move(value)) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("ConstantOfShape needs a 'shape' input");
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, read_int64s(*ctx.input(0), "ConstantOfShape shape"));
    FOGLINE_TRY(checked_numel(shape).status());
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, value_.dtype(), shape));
    return dispatch_by_width(value_.dtype(), "ConstantOfShape", [&]<typename T>() -> Status {
      const T v = value_.data<T>()[0];
      T* out = y->data<T>();
      const int64_t n = y->numel();
#pragma omp parallel for if (n > 262144) num_threads(ctx.threads())
      for (int64_t i = 0; i < n; ++i) out[i] = v;
      return Status::ok();
    });
  }

 private:
  Tensor value_;
};

Result<std::unique_ptr<Kernel>> make_constant_of_shape(const KernelBuildInfo& info) {
  Tensor value;
  if (const Tensor* t = info.attrs().get_tensor("value")) {
    if (t->numel() != 1) {
      return invalid_argument("ConstantOfShape 'value' must have one element, got " + std::to_string(t->numel()));
    }
    FOGLINE_ASSIGN_OR_RETURN(value, t->clone());
  } else {
    value = Tensor::scalar<float>(0.0f);
  }
  return std::unique_ptr<Kernel>(new ConstantOfShapeKernel(std::move(value)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ConstantOfShape", 9, 1000, Backend::kReference, make_constant_of_shape);

}  // namespace fogline::engine::ops
