// Split: cuts the input along `axis` into the node's outputs. Sizes come from the 'split'
// attribute (opset < 13; opset 1-2 also accepted it as input 1) or input 1 (opset >= 13);
// without them the axis is cut evenly, or (opset 18 num_outputs) in ceil-sized chunks.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class SplitKernel : public Kernel {
 public:
  SplitKernel(int64_t axis, std::vector<int64_t> attr_split, bool uneven_chunks)
      : axis_(axis), attr_split_(std::move(attr_split)), uneven_chunks_(uneven_chunks) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (x.rank() == 0) return invalid_argument("Split input must have rank >= 1, got a scalar");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, x.rank(), ctx));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> split,
                             ints_from_input_or_attr(ctx, 1, attr_split_, "Split sizes"));
    const int outputs = ctx.num_outputs();
    const int64_t dim = x.dim(axis);
    if (split.empty()) {
      if (outputs <= 0) return invalid_argument("Split has no outputs");
      if (uneven_chunks_) {
        const int64_t chunk = (dim + outputs - 1) / outputs;
        for (int i = 0; i < outputs; ++i) {
          split.push_back(std::max<int64_t>(0, std::min(chunk, dim - chunk * i)));
        }
      } else {
        if (dim % outputs != 0) {
          return invalid_argument("Split cannot cut axis " + std::to_string(axis) + " of size " +
                                  std::to_string(dim) + " into " + std::to_string(outputs) + " equal parts");
        }
        split.assign(static_cast<size_t>(outputs), dim / outputs);
      }
    }
    if (static_cast<int>(split.size()) != outputs) {
      return invalid_argument("Split has " + std::to_string(split.size()) + " sizes but " +
                              std::to_string(outputs) + " outputs");
    }
    int64_t total = 0;
    for (int64_t s : split) {
      if (s < 0) return invalid_argument("Split size " + std::to_string(s) + " is negative");
      total += s;
    }
    if (total != dim) {
      return invalid_argument("Split sizes sum to " + std::to_string(total) + " but axis " +
                              std::to_string(axis) + " has size " + std::to_string(dim));
    }
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    int64_t start = 0;
    for (int i = 0; i < outputs; ++i) {
      const int64_t len = split[static_cast<size_t>(i)];
      Shape shape = x.shape();
      shape[static_cast<size_t>(axis)] = len;
      FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(i, x.dtype(), shape));
      Status st = dispatch_by_width(x.dtype(), "Split", [&]<typename T>() -> Status {
        const T* in = x.data<T>();
        T* out = y->data<T>();
        const int64_t row = len * inner;
#pragma omp parallel for if (outer * row > 65536 && outer > 1) num_threads(ctx.threads())
        for (int64_t o = 0; o < outer; ++o) copy_elements(in + (o * dim + start) * inner, out + o * row, row);
        return Status::ok();
      });
      FOGLINE_TRY(st);
      start += len;
    }
    return Status::ok();
  }

 private:
  int64_t axis_;
  std::vector<int64_t> attr_split_;
  bool uneven_chunks_;
};

Result<std::unique_ptr<Kernel>> make_split(const KernelBuildInfo& info) {
  const bool num_outputs = info.attrs().has("num_outputs");
  if (num_outputs && info.attrs().get_int("num_outputs", 0) != info.num_outputs()) {
    return invalid_argument("Split num_outputs is " + std::to_string(info.attrs().get_int("num_outputs", 0)) +
                            " but the node has " + std::to_string(info.num_outputs()) + " outputs");
  }
  return std::unique_ptr<Kernel>(new SplitKernel(info.attrs().get_int("axis", 0),
                                                 info.attrs().get_ints("split"), num_outputs));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Split", 1, 1000, Backend::kReference, make_split);

}  // namespace fogline::engine::ops
