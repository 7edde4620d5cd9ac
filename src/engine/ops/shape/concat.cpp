// Concat: joins inputs along `axis`; every other dimension must match. Empty inputs are fine.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ConcatKernel : public Kernel {
 public:
  explicit ConcatKernel(int64_t axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    std::vector<const Tensor*> ins;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (ctx.input(i)) ins.push_back(ctx.input(i));
    }
    if (ins.empty()) return invalid_argument("Concat needs at least one input");
    const Tensor& first = *ins[0];
    const int rank = first.rank();
    if (rank == 0) return invalid_argument("Concat inputs must have rank >= 1, got a scalar");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, rank, ctx));
    Shape out_shape = first.shape();
    out_shape[static_cast<size_t>(axis)] = 0;
    for (size_t k = 0; k < ins.size(); ++k) {
      const Tensor& t = *ins[k];
      if (t.dtype() != first.dtype()) {
        return invalid_argument(std::string("Concat inputs must have one type, got ") +
                                dtype_name(first.dtype()) + " and " + dtype_name(t.dtype()));
      }
      bool ok = t.rank() == rank;
      for (int d = 0; ok && d < rank; ++d) ok = d == axis || t.dim(d) == first.dim(d);
      if (!ok) {
        return invalid_argument("Concat input " + std::to_string(k) + " has shape " +
                                shape_to_string(t.shape()) + ", which does not match " +
                                shape_to_string(first.shape()) + " outside axis " + std::to_string(axis));
      }
      out_shape[static_cast<size_t>(axis)] += t.dim(axis);
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, first.dtype(), out_shape));
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= out_shape[static_cast<size_t>(d)];
    const int64_t out_row = outer ? y->numel() / outer : 0;
    return dispatch_by_width(first.dtype(), "Concat", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      int64_t col = 0;
      for (const Tensor* t : ins) {
        const int64_t row = outer ? t->numel() / outer : 0;
        const T* in = t->data<T>();
#pragma omp parallel for if (outer * row > 65536 && outer > 1) num_threads(ctx.threads())
        for (int64_t o = 0; o < outer; ++o) copy_elements(in + o * row, out + o * out_row + col, row);
        col += row;
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<Kernel>> make_concat(const KernelBuildInfo& info) {
  if (info.opset() >= 4 && !info.attrs().has("axis")) {
    return invalid_argument("Concat needs an 'axis' attribute");
  }
  return std::unique_ptr<Kernel>(new ConcatKernel(info.attrs().get_int("axis", 1)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Concat", 1, 1000, Backend::kReference, make_concat);

}  // namespace fogline::engine::ops
