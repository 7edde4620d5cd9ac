// Where: condition ? X : Y, all three broadcast together (numpy style).
#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

class WhereKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& c = *ctx.input(0);
    const Tensor& x = *ctx.input(1);
    const Tensor& y = *ctx.input(2);
    if (c.dtype() != DataType::kBool) {
      return invalid_argument(std::string("Where condition must be bool, got ") + dtype_name(c.dtype()));
    }
    if (x.dtype() != y.dtype()) {
      return invalid_argument(std::string("Where X and Y must have one type, got ") + dtype_name(x.dtype()) +
                              " and " + dtype_name(y.dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(c.shape(), x.shape()));
    FOGLINE_ASSIGN_OR_RETURN(shape, broadcast_shapes(shape, y.shape()));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, x.dtype(), shape));
    return dispatch_types<FOGLINE_ALL_TYPES, std::string>(x.dtype(), "Where", [&]<typename T>() -> Status {
      const bool* pc = c.data<bool>();
      const T* px = x.data<T>();
      const T* py = y.data<T>();
      T* po = out->data<T>();
      for_each_broadcast<3>(shape, {c.shape(), x.shape(), y.shape()},
                            [&](int64_t i, int64_t ic, int64_t ix, int64_t iy) {
                              po[i] = pc[ic] ? px[ix] : py[iy];
                            });
      return Status::ok();
    });
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Where", 9, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(WhereKernel));

}  // namespace fogline::engine::ops
