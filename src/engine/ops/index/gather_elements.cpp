// GatherElements: out[i...] = data[i...] with the `axis` coordinate replaced by indices[i...].
// indices has data's rank; its other dims may not exceed data's.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class GatherElementsKernel : public Kernel {
 public:
  explicit GatherElementsKernel(int64_t axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(data, ctx, 0);
    FOGLINE_REQUIRED_INPUT(indices, ctx, 1);
    FOGLINE_TRY(check_index_type(indices, "GatherElements indices"));
    const int rank = data.rank();
    if (rank == 0) return invalid_argument("GatherElements data must have rank >= 1, got a scalar");
    if (indices.rank() != rank) {
      return invalid_argument("GatherElements indices " + shape_to_string(indices.shape()) +
                              " must have the rank of data " + shape_to_string(data.shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, rank, ctx));
    for (int d = 0; d < rank; ++d) {
      if (d != axis && indices.dim(d) > data.dim(d)) {
        return invalid_argument("GatherElements indices " + shape_to_string(indices.shape()) +
                                " exceed data " + shape_to_string(data.shape()) + " in dim " + std::to_string(d));
      }
    }
    const int64_t dim = data.dim(axis);
    const int64_t n = indices.numel();
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = index_at(indices, i);
      if (!fix_index(v, dim)) {
        return invalid_argument("GatherElements index " + std::to_string(index_at(indices, i)) +
                                " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(dim));
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, data.dtype(), indices.shape()));
    if (n == 0) return Status::ok();
    const std::vector<int64_t> ds = contiguous_strides(data.shape());
    const Shape& is = indices.shape();
    return dispatch_by_width(data.dtype(), "GatherElements", [&]<typename T>() -> Status {
      const T* in = data.data<T>();
      T* out = y->data<T>();
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
      for (int64_t i = 0; i < n; ++i) {
        int64_t rem = i, off = 0;
        for (int d = rank - 1; d >= 0; --d) {
          const int64_t c = rem % is[static_cast<size_t>(d)];
          rem /= is[static_cast<size_t>(d)];
          if (d != axis) off += c * ds[static_cast<size_t>(d)];
        }
        int64_t v = index_at(indices, i);
        if (v < 0) v += dim;
        out[i] = in[off + v * ds[static_cast<size_t>(axis)]];
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<Kernel>> make_gather_elements(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new GatherElementsKernel(info.attrs().get_int("axis", 0)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "GatherElements", 11, 1000, Backend::kReference, make_gather_elements);

}  // namespace fogline::engine::ops
