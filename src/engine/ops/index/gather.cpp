// Gather: picks slices of `data` along `axis` by `indices` (negatives count from the back).
// Output shape: data[:axis] + indices.shape + data[axis+1:].
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class GatherKernel : public Kernel {
 public:
  explicit GatherKernel(int64_t axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(data, ctx, 0);
    FOGLINE_REQUIRED_INPUT(indices, ctx, 1);
    FOGLINE_TRY(check_index_type(indices, "Gather indices"));
    if (data.rank() == 0) return invalid_argument("Gather data must have rank >= 1, got a scalar");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, data.rank(), ctx));
    const int64_t dim = data.dim(axis);
    const int64_t n = indices.numel();
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = index_at(indices, i);
      if (!fix_index(v, dim)) {
        return invalid_argument("Gather index " + std::to_string(index_at(indices, i)) +
                                " is out of range for axis " + std::to_string(axis) + " of size " +
                                std::to_string(dim));
      }
      idx[static_cast<size_t>(i)] = v;
    }
    Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, data.dtype(), out_shape));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= data.dim(d);
    for (int d = axis + 1; d < data.rank(); ++d) inner *= data.dim(d);
    return dispatch_by_width(data.dtype(), "Gather", [&]<typename T>() -> Status {
      const T* in = data.data<T>();
      T* out = y->data<T>();
      const int64_t total = outer * n;
#pragma omp parallel for if (total * inner > 65536 && total > 1) num_threads(ctx.threads())
      for (int64_t t = 0; t < total; ++t) {
        const int64_t o = t / n, k = t % n;
        copy_elements(in + (o * dim + idx[static_cast<size_t>(k)]) * inner, out + t * inner, inner);
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<Kernel>> make_gather(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new GatherKernel(info.attrs().get_int("axis", 0)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Gather", 1, 1000, Backend::kReference, make_gather);

}  // namespace fogline::engine::ops
