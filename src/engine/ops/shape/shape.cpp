// Shape: the input's dimensions as int64. Opset 15 adds start/end (clamped, negatives count
// from the back) to take a slice of them.
#include <algorithm>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ShapeKernel : public Kernel {
 public:
  ShapeKernel(int64_t start, std::optional<int64_t> end) : start_(start), end_(end) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const int64_t rank = x.rank();
    auto clamp = [&](int64_t v) {
      if (v < 0) v += rank;
      return std::min(std::max<int64_t>(v, 0), rank);
    };
    const int64_t start = clamp(start_);
    const int64_t end = end_ ? clamp(*end_) : rank;
    const int64_t n = std::max<int64_t>(end - start, 0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt64, {n}));
    for (int64_t i = 0; i < n; ++i) y->data<int64_t>()[i] = x.dim(static_cast<int>(start + i));
    return Status::ok();
  }

 private:
  int64_t start_;
  std::optional<int64_t> end_;
};

Result<std::unique_ptr<Kernel>> make_shape(const KernelBuildInfo& info) {
  std::optional<int64_t> end;
  if (info.attrs().has("end")) end = info.attrs().get_int("end", 0);
  return std::unique_ptr<Kernel>(new ShapeKernel(info.attrs().get_int("start", 0), end));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Shape", 1, 1000, Backend::kReference, make_shape);

}  // namespace fogline::engine::ops
