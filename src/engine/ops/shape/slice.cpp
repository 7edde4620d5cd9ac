// Slice: starts/ends/axes are attributes before opset 10; from 10 on they (and steps) are
// inputs. Out-of-range starts/ends clamp as numpy does; negative steps walk backwards.
#include <cstdint>

#include "engine/ops/shape/data_movement.h"
#include "engine/ops/shape/slice_window.h"

namespace fogline::engine::ops {
namespace {

class SliceKernel : public Kernel {
 public:
  SliceKernel(bool from_inputs, std::vector<int64_t> starts, std::vector<int64_t> ends,
              std::vector<int64_t> axes)
      : from_inputs_(from_inputs), starts_(std::move(starts)), ends_(std::move(ends)), axes_(std::move(axes)) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    if (from_inputs_) {
      if (!ctx.input(1) || !ctx.input(2)) return invalid_argument("Slice needs 'starts' and 'ends' inputs");
      FOGLINE_ASSIGN_OR_RETURN(starts, read_int64s(*ctx.input(1), "Slice starts"));
      FOGLINE_ASSIGN_OR_RETURN(ends, read_int64s(*ctx.input(2), "Slice ends"));
      if (ctx.input(3)) {
        FOGLINE_ASSIGN_OR_RETURN(axes, read_int64s(*ctx.input(3), "Slice axes"));
      }
      if (ctx.input(4)) {
        FOGLINE_ASSIGN_OR_RETURN(steps, read_int64s(*ctx.input(4), "Slice steps"));
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(SliceWindow w, slice_window(x.shape(), starts, ends, axes, steps));
    const Shape& out_shape = w.out_shape;
    const std::vector<int64_t> in_strides = contiguous_strides(x.shape());
    std::vector<int64_t> strides(in_strides.size());
    int64_t offset = 0;
    for (size_t a = 0; a < in_strides.size(); ++a) {
      offset += w.start[a] * in_strides[a];
      // A single step never moves, and a huge step would overflow the stride.
      strides[a] = out_shape[a] > 1 ? in_strides[a] * w.step[a] : 0;
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    if (y->numel() == 0) return Status::ok();
    return dispatch_by_width(x.dtype(), "Slice", [&]<typename T>() -> Status {
      strided_copy<T>(x.data<T>(), offset, out_shape, strides, y->data<T>(), ctx.threads());
      return Status::ok();
    });
  }

 private:
  bool from_inputs_;
  std::vector<int64_t> starts_, ends_, axes_;
};

Result<std::unique_ptr<Kernel>> make_slice(const KernelBuildInfo& info) {
  const bool from_inputs = info.opset() >= 10;
  if (!from_inputs && (!info.attrs().has("starts") || !info.attrs().has("ends"))) {
    return invalid_argument("Slice (opset < 10) needs 'starts' and 'ends' attributes");
  }
  return std::unique_ptr<Kernel>(new SliceKernel(from_inputs, info.attrs().get_ints("starts"),
                                                 info.attrs().get_ints("ends"),
                                                 info.attrs().get_ints("axes")));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Slice", 1, 1000, Backend::kReference, make_slice);

}  // namespace fogline::engine::ops
