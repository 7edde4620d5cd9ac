// Reshape: opset 1-4 take the shape as an attribute, 5+ as an int64 input; 0 copies the input
// dimension (unless allowzero=1), -1 is inferred.
#include <cstring>

#include "engine/ops/shape/data_movement.h"
#include "engine/ops/shape/reshape_target.h"

namespace fogline::engine::ops {
namespace {

class ReshapeKernel : public Kernel {
 public:
  ReshapeKernel(std::vector<int64_t> attr_shape, bool allowzero)
      : attr_shape_(std::move(attr_shape)), allowzero_(allowzero) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    std::vector<int64_t> spec = attr_shape_;
    if (ctx.has_input(1)) {
      FOGLINE_ASSIGN_OR_RETURN(spec, read_int64s(*ctx.input(1), "Reshape's shape input"));
    }
    FOGLINE_ASSIGN_OR_RETURN(Shape out, reshape_target(x.shape(), spec, allowzero_));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out));
    if (x.dtype() == DataType::kString) {
      for (int64_t i = 0; i < x.numel(); ++i) y->data<std::string>()[i] = x.data<std::string>()[i];
    } else if (x.nbytes()) {
      std::memcpy(y->raw(), x.raw(), x.nbytes());
    }
    return Status::ok();
  }

 private:
  std::vector<int64_t> attr_shape_;
  bool allowzero_;
};

Result<std::unique_ptr<Kernel>> make_reshape(const KernelBuildInfo& info) {
  if (info.opset() < 5 && !info.attrs().has("shape")) {
    return invalid_argument("Reshape (opset < 5) needs a 'shape' attribute");
  }
  return std::unique_ptr<Kernel>(new ReshapeKernel(info.attrs().get_ints("shape"),
                                                   info.attrs().get_int("allowzero", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Reshape", 1, 1000, Backend::kReference, make_reshape);

}  // namespace fogline::engine::ops
