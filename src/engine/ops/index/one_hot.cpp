// OneHot: output[..., d, ...] = values[1] where d == indices[...] (negatives count from
// depth), else values[0]; the new depth dim goes at `axis` (default -1, the end).
#include <cmath>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class OneHotKernel : public Kernel {
 public:
  explicit OneHotKernel(int64_t axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    const Tensor* indices = ctx.input(0);
    const Tensor* depth_t = ctx.input(1);
    const Tensor* values = ctx.input(2);
    if (!indices || !depth_t || !values) return invalid_argument("OneHot needs indices, depth and values inputs");
    if (depth_t->numel() != 1) {
      return invalid_argument("OneHot depth must have one element, got " + std::to_string(depth_t->numel()));
    }
    if (values->numel() != 2) {
      return invalid_argument("OneHot values must have two elements [off, on], got " + std::to_string(values->numel()));
    }
    if (indices->dtype() == DataType::kString || depth_t->dtype() == DataType::kString) {
      return invalid_argument("OneHot indices and depth must be numeric");
    }
    const double depth_f = depth_t->value_as_double(0);
    if (!(depth_f >= 1) || depth_f > 9.0e18) {
      return invalid_argument("OneHot depth must be positive, got " + std::to_string(depth_f));
    }
    const int64_t depth = static_cast<int64_t>(depth_f);
    const int out_rank = indices->rank() + 1;
    int64_t axis = axis_ < 0 ? axis_ + out_rank : axis_;
    if (axis < 0 || axis >= out_rank) {
      return invalid_argument("OneHot axis " + std::to_string(axis_) + " is out of range for output rank " +
                              std::to_string(out_rank));
    }
    Shape out_shape = indices->shape();
    out_shape.insert(out_shape.begin() + axis, depth);
    FOGLINE_TRY(checked_numel(out_shape).status());
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < indices->rank(); ++d) (d < axis ? outer : inner) *= indices->dim(d);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, values->dtype(), out_shape));
    std::vector<int64_t> hot(static_cast<size_t>(indices->numel()));
    for (int64_t i = 0; i < indices->numel(); ++i) {
      const double v = std::trunc(indices->value_as_double(i));
      int64_t h = -1;
      if (v >= -static_cast<double>(depth) && v < static_cast<double>(depth)) {
        h = static_cast<int64_t>(v);
        if (h < 0) h += depth;
      }
      hot[static_cast<size_t>(i)] = h;
    }
    return dispatch_by_width(values->dtype(), "OneHot", [&]<typename T>() -> Status {
      const T off = values->data<T>()[0], on = values->data<T>()[1];
      T* out = y->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t d = 0; d < depth; ++d) {
          T* row = out + (o * depth + d) * inner;
          const int64_t* h = hot.data() + o * inner;
          for (int64_t i = 0; i < inner; ++i) row[i] = h[i] == d ? on : off;
        }
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<Kernel>> make_one_hot(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new OneHotKernel(info.attrs().get_int("axis", -1)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "OneHot", 9, 1000, Backend::kReference, make_one_hot);

}  // namespace fogline::engine::ops
