// Squeeze / Unsqueeze: remove or insert size-1 dims. The axes are an attribute before opset 13
// and an optional (Squeeze) or required (Unsqueeze) int64 input from 13 on.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class SqueezeKernel : public Kernel {
 public:
  explicit SqueezeKernel(std::vector<int64_t> attr_axes) : attr_axes_(std::move(attr_axes)) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                             ints_from_input_or_attr(ctx, 1, attr_axes_, "Squeeze axes"));
    std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
    if (axes.empty()) {
      for (int d = 0; d < x.rank(); ++d) drop[static_cast<size_t>(d)] = x.dim(d) == 1;
    } else {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<int> norm, normalize_axes(axes, x.rank(), "Squeeze"));
      for (int a : norm) {
        if (x.dim(a) != 1) {
          return invalid_argument("Squeeze axis " + std::to_string(a) + " has size " +
                                  std::to_string(x.dim(a)) + ", expected 1 (input shape " +
                                  shape_to_string(x.shape()) + ")");
        }
        drop[static_cast<size_t>(a)] = true;
      }
    }
    Shape out;
    for (int d = 0; d < x.rank(); ++d) {
      if (!drop[static_cast<size_t>(d)]) out.push_back(x.dim(d));
    }
    return copy_to_output(ctx, x, out);
  }

 private:
  std::vector<int64_t> attr_axes_;
};

class UnsqueezeKernel : public Kernel {
 public:
  explicit UnsqueezeKernel(std::vector<int64_t> attr_axes) : attr_axes_(std::move(attr_axes)) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                             ints_from_input_or_attr(ctx, 1, attr_axes_, "Unsqueeze axes"));
    const int out_rank = x.rank() + static_cast<int>(axes.size());
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int> norm, normalize_axes(axes, out_rank, "Unsqueeze"));
    std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
    for (int a : norm) inserted[static_cast<size_t>(a)] = true;
    Shape out;
    int src = 0;
    for (int d = 0; d < out_rank; ++d) out.push_back(inserted[static_cast<size_t>(d)] ? 1 : x.dim(src++));
    return copy_to_output(ctx, x, out);
  }

 private:
  std::vector<int64_t> attr_axes_;
};

Result<std::unique_ptr<Kernel>> make_squeeze(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new SqueezeKernel(info.attrs().get_ints("axes")));
}

Result<std::unique_ptr<Kernel>> make_unsqueeze(const KernelBuildInfo& info) {
  if (info.opset() < 13 && !info.attrs().has("axes")) {
    return invalid_argument("Unsqueeze (opset < 13) needs an 'axes' attribute");
  }
  if (info.opset() >= 13 && !info.has_input(1)) {
    return invalid_argument("Unsqueeze (opset >= 13) needs an 'axes' input");
  }
  return std::unique_ptr<Kernel>(new UnsqueezeKernel(info.attrs().get_ints("axes")));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Squeeze", 1, 1000, Backend::kReference, make_squeeze);
FOGLINE_REGISTER_KERNEL("", "Unsqueeze", 1, 1000, Backend::kReference, make_unsqueeze);

}  // namespace fogline::engine::ops
