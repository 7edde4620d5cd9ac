// Slice: starts/ends/axes are attributes before opset 10; from 10 on they (and steps) are
// inputs. Out-of-range starts/ends clamp as numpy does; negative steps walk backwards.
#include <algorithm>
#include <cstdint>

#include "engine/ops/shape/data_movement.h"

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
    if (ends.size() != starts.size()) {
      return invalid_argument("Slice has " + std::to_string(starts.size()) + " starts but " +
                              std::to_string(ends.size()) + " ends");
    }
    if (axes.empty()) {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (axes.size() != starts.size() || steps.size() != starts.size()) {
      return invalid_argument("Slice axes (" + std::to_string(axes.size()) + ") and steps (" +
                              std::to_string(steps.size()) + ") must match starts (" +
                              std::to_string(starts.size()) + ")");
    }
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int> norm, normalize_axes(axes, x.rank(), "Slice"));
    Shape out_shape = x.shape();
    const std::vector<int64_t> in_strides = contiguous_strides(x.shape());
    std::vector<int64_t> strides = in_strides;
    int64_t offset = 0;
    for (size_t i = 0; i < norm.size(); ++i) {
      const size_t a = static_cast<size_t>(norm[i]);
      const int64_t dim = x.shape()[a];
      const int64_t step = steps[i];
      if (step == 0) return invalid_argument("Slice step for axis " + std::to_string(a) + " is 0");
      int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
      int64_t len;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        len = end > start ? (end - start - 1) / step + 1 : 0;
      } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        len = start > end ? (start - end - 1) / (step == INT64_MIN ? INT64_MAX : -step) + 1 : 0;
      }
      out_shape[a] = len;
      if (len > 0) offset += start * in_strides[a];
      // A single step never moves, and a huge step would overflow the stride.
      strides[a] = len > 1 ? in_strides[a] * step : 0;
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
