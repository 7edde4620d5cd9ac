// ScatterND: a copy of data where each row of `indices` (last dim k) addresses a slice
// data[idx][...] that takes the matching slice of updates, combined per `reduction` (opset 16+).
// updates.shape must be indices.shape[:-1] + data.shape[k:].
#include "engine/ops/index/scatter_reduction.h"
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ScatterNDKernel : public Kernel {
 public:
  explicit ScatterNDKernel(ScatterReduction reduction) : reduction_(reduction) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(data, ctx, 0);
    FOGLINE_REQUIRED_INPUT(indices, ctx, 1);
    const Tensor* updates = ctx.input(2);
    if (!updates) return invalid_argument("ScatterND needs an 'updates' input");
    FOGLINE_TRY(check_index_type(indices, "ScatterND indices"));
    const int r = data.rank(), q = indices.rank();
    if (q < 1) return invalid_argument("ScatterND indices must have rank >= 1, got a scalar");
    const int64_t k = indices.shape().back();
    if (k < 1 || k > r) {
      return invalid_argument("ScatterND indices' last dim " + std::to_string(k) + " must be in [1, " +
                              std::to_string(r) + "] for data " + shape_to_string(data.shape()));
    }
    Shape want(indices.shape().begin(), indices.shape().end() - 1);
    want.insert(want.end(), data.shape().begin() + k, data.shape().end());
    if (updates->shape() != want) {
      return invalid_argument("ScatterND updates have shape " + shape_to_string(updates->shape()) + ", expected " +
                              shape_to_string(want));
    }
    if (updates->dtype() != data.dtype()) {
      return invalid_argument(std::string("ScatterND updates have type ") + dtype_name(updates->dtype()) +
                              ", expected " + dtype_name(data.dtype()));
    }
    if (reduction_ != ScatterReduction::kNone &&
        (data.dtype() == DataType::kString || data.dtype() == DataType::kBool)) {
      return invalid_argument(std::string("ScatterND reduction needs a numeric type, got ") + dtype_name(data.dtype()));
    }
    const std::vector<int64_t> ds = contiguous_strides(data.shape());
    int64_t slice = 1;
    for (int d = static_cast<int>(k); d < r; ++d) slice *= data.dim(d);
    const int64_t rows = indices.numel() / k;
    std::vector<int64_t> offsets(static_cast<size_t>(rows));
    for (int64_t row = 0; row < rows; ++row) {
      int64_t off = 0;
      for (int64_t j = 0; j < k; ++j) {
        int64_t v = index_at(indices, row * k + j);
        if (!fix_index(v, data.dim(static_cast<int>(j)))) {
          return invalid_argument("ScatterND index " + std::to_string(index_at(indices, row * k + j)) +
                                  " is out of range for data dim " + std::to_string(j) + " of size " +
                                  std::to_string(data.dim(static_cast<int>(j))));
        }
        off += v * ds[static_cast<size_t>(j)];
      }
      offsets[static_cast<size_t>(row)] = off;
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, data.dtype(), data.shape()));
    copy_tensor_data(data, y);
    return dispatch_types<FOGLINE_SCATTER_TYPES>(data.dtype(), "ScatterND", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      const T* upd = updates->data<T>();
      for (int64_t row = 0; row < rows; ++row) {
        T* dst = out + offsets[static_cast<size_t>(row)];
        const T* src = upd + row * slice;
        for (int64_t i = 0; i < slice; ++i) scatter_combine(reduction_, dst + i, src[i]);
      }
      return Status::ok();
    });
  }

 private:
  ScatterReduction reduction_;
};

Result<std::unique_ptr<Kernel>> make_scatter_nd(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(ScatterReduction r, parse_scatter_reduction("ScatterND",
                                                                       info.attrs().get_string("reduction", "none")));
  return std::unique_ptr<Kernel>(new ScatterNDKernel(r));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ScatterND", 11, 1000, Backend::kReference, make_scatter_nd);

}  // namespace fogline::engine::ops
