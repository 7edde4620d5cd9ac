// Tile: repeats the input `repeats[i]` times along each dim (opset 6+, repeats as an input).
#include <cstdint>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class TileKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (!ctx.input(1)) return invalid_argument("Tile needs a 'repeats' input");
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> reps, read_int64s(*ctx.input(1), "Tile repeats"));
    if (static_cast<int>(reps.size()) != x.rank()) {
      return invalid_argument("Tile repeats has " + std::to_string(reps.size()) +
                              " entries but the input has rank " + std::to_string(x.rank()));
    }
    Shape out_shape;
    // The output seen as [r0, d0, r1, d1, ...] reads the input with strides [0, s0, 0, s1, ...].
    Shape view_shape;
    std::vector<int64_t> view_strides;
    const std::vector<int64_t> in_strides = contiguous_strides(x.shape());
    for (int d = 0; d < x.rank(); ++d) {
      const int64_t r = reps[static_cast<size_t>(d)];
      if (r < 0) return invalid_argument("Tile repeat " + std::to_string(r) + " is negative");
      if (r > 0 && x.dim(d) > INT64_MAX / r) return invalid_argument("Tile output is too large");
      out_shape.push_back(x.dim(d) * r);
      view_shape.push_back(r);
      view_strides.push_back(0);
      view_shape.push_back(x.dim(d));
      view_strides.push_back(in_strides[static_cast<size_t>(d)]);
    }
    FOGLINE_TRY(checked_numel(out_shape).status());
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    if (y->numel() == 0) return Status::ok();
    return dispatch_by_width(x.dtype(), "Tile", [&]<typename T>() -> Status {
      strided_copy<T>(x.data<T>(), 0, view_shape, view_strides, y->data<T>(), ctx.threads());
      return Status::ok();
    });
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Tile", 6, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(TileKernel));

}  // namespace fogline::engine::ops
