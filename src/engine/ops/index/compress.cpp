// Compress: keeps the slices along `axis` whose entry in the 1-D bool `condition` is true
// (without an axis, the flattened elements). condition may be shorter than the axis.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class CompressKernel : public Kernel {
 public:
  explicit CompressKernel(std::optional<int64_t> axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(input, ctx, 0);
    const Tensor* cond = ctx.input(1);
    if (!cond) return invalid_argument("Compress needs a 'condition' input");
    if (cond->dtype() != DataType::kBool || cond->rank() != 1) {
      return invalid_argument(std::string("Compress condition must be a 1-D bool tensor, got ") +
                              dtype_name(cond->dtype()) + shape_to_string(cond->shape()));
    }
    Tensor x = axis_ ? input : input.reshaped({input.numel()});
    int axis = 0;
    if (axis_) {
      FOGLINE_ASSIGN_OR_RETURN(axis, normalize_axis(*axis_, x.rank(), ctx));
      if (x.rank() == 0) return invalid_argument("Compress with an axis needs rank >= 1");
    }
    const int64_t dim = x.dim(axis);
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < cond->numel(); ++i) {
      if (!cond->data<bool>()[i]) continue;
      if (i >= dim) {
        return invalid_argument("Compress condition selects index " + std::to_string(i) +
                                " beyond axis " + std::to_string(axis) + " of size " + std::to_string(dim));
      }
      keep.push_back(i);
    }
    Shape out_shape = x.shape();
    out_shape[static_cast<size_t>(axis)] = static_cast<int64_t>(keep.size());
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    return dispatch_by_width(x.dtype(), "Compress", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (size_t j = 0; j < keep.size(); ++j) {
          copy_elements(in + (o * dim + keep[j]) * inner, out + (o * static_cast<int64_t>(keep.size()) + static_cast<int64_t>(j)) * inner, inner);
        }
      }
      return Status::ok();
    });
  }

 private:
  std::optional<int64_t> axis_;
};

Result<std::unique_ptr<Kernel>> make_compress(const KernelBuildInfo& info) {
  std::optional<int64_t> axis;
  if (info.attrs().has("axis")) axis = info.attrs().get_int("axis", 0);
  return std::unique_ptr<Kernel>(new CompressKernel(axis));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Compress", 9, 1000, Backend::kReference, make_compress);

}  // namespace fogline::engine::ops
