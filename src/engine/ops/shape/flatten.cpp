// Flatten: dims before `axis` become the rows, the rest the columns; axis is in [-r, r].
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class FlattenKernel : public Kernel {
 public:
  explicit FlattenKernel(int64_t axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const int64_t rank = x.rank();
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis > rank) {
      return invalid_argument("Flatten axis " + std::to_string(axis_) + " is out of range for rank " +
                              std::to_string(rank));
    }
    int64_t rows = 1;
    for (int64_t d = 0; d < axis; ++d) rows *= x.dim(static_cast<int>(d));
    const int64_t cols = rows ? x.numel() / rows : [&] {
      int64_t c = 1;
      for (int64_t d = axis; d < rank; ++d) c *= x.dim(static_cast<int>(d));
      return c;
    }();
    return copy_to_output(ctx, x, {rows, cols});
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<Kernel>> make_flatten(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new FlattenKernel(info.attrs().get_int("axis", 1)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Flatten", 1, 1000, Backend::kReference, make_flatten);

}  // namespace fogline::engine::ops
