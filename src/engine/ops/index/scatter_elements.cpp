// ScatterElements (and the older Scatter, opset 9-10): a copy of data where, for every index
// position p, out[p with axis coord = indices[p]] = updates[p], combined per `reduction`
// (opset 16+). Updates apply in order, so duplicate indices behave as the reference does.
#include "engine/ops/index/scatter_reduction.h"
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ScatterElementsKernel : public Kernel {
 public:
  ScatterElementsKernel(int64_t axis, ScatterReduction reduction) : axis_(axis), reduction_(reduction) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(data, ctx, 0);
    FOGLINE_REQUIRED_INPUT(indices, ctx, 1);
    const Tensor* updates = ctx.input(2);
    if (!updates) return invalid_argument("ScatterElements needs an 'updates' input");
    FOGLINE_TRY(check_index_type(indices, "ScatterElements indices"));
    const int rank = data.rank();
    if (rank == 0) return invalid_argument("ScatterElements data must have rank >= 1, got a scalar");
    if (indices.rank() != rank || updates->shape() != indices.shape()) {
      return invalid_argument("ScatterElements needs indices and updates of one shape with data's rank; got data " +
                              shape_to_string(data.shape()) + ", indices " + shape_to_string(indices.shape()) +
                              ", updates " + shape_to_string(updates->shape()));
    }
    if (updates->dtype() != data.dtype()) {
      return invalid_argument(std::string("ScatterElements updates have type ") + dtype_name(updates->dtype()) +
                              ", expected " + dtype_name(data.dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, rank, ctx));
    for (int d = 0; d < rank; ++d) {
      if (d != axis && indices.dim(d) > data.dim(d)) {
        return invalid_argument("ScatterElements indices " + shape_to_string(indices.shape()) + " exceed data " +
                                shape_to_string(data.shape()) + " in dim " + std::to_string(d));
      }
    }
    const int64_t dim = data.dim(axis);
    const int64_t n = indices.numel();
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = index_at(indices, i);
      if (!fix_index(v, dim)) {
        return invalid_argument("ScatterElements index " + std::to_string(index_at(indices, i)) +
                                " is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(dim));
      }
    }
    if (reduction_ != ScatterReduction::kNone &&
        (data.dtype() == DataType::kString || data.dtype() == DataType::kBool)) {
      return invalid_argument(std::string("ScatterElements reduction needs a numeric type, got ") + dtype_name(data.dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, data.dtype(), data.shape()));
    copy_tensor_data(data, y);
    const std::vector<int64_t> ds = contiguous_strides(data.shape());
    const Shape& is = indices.shape();
    return dispatch_types<FOGLINE_SCATTER_TYPES>(data.dtype(), "ScatterElements", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      const T* upd = updates->data<T>();
      for (int64_t i = 0; i < n; ++i) {
        int64_t rem = i, off = 0;
        for (int d = rank - 1; d >= 0; --d) {
          const int64_t c = rem % is[static_cast<size_t>(d)];
          rem /= is[static_cast<size_t>(d)];
          if (d != axis) off += c * ds[static_cast<size_t>(d)];
        }
        int64_t v = index_at(indices, i);
        if (v < 0) v += dim;
        scatter_combine(reduction_, out + off + v * ds[static_cast<size_t>(axis)], upd[i]);
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
  ScatterReduction reduction_;
};

Result<std::unique_ptr<Kernel>> make_scatter_elements(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(ScatterReduction r, parse_scatter_reduction("ScatterElements",
                                                                       info.attrs().get_string("reduction", "none")));
  return std::unique_ptr<Kernel>(new ScatterElementsKernel(info.attrs().get_int("axis", 0), r));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ScatterElements", 11, 1000, Backend::kReference, make_scatter_elements);
FOGLINE_REGISTER_KERNEL("", "Scatter", 9, 10, Backend::kReference, make_scatter_elements);

}  // namespace fogline::engine::ops
