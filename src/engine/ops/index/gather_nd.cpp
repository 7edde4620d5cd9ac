// GatherND: each row of `indices` (its last dim, k) addresses a slice of data after the first
// batch_dims dims, which data and indices share. Output: indices.shape[:-1] + data.shape[b+k:].
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class GatherNDKernel : public Kernel {
 public:
  explicit GatherNDKernel(int64_t batch_dims) : batch_dims_(batch_dims) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(data, ctx, 0);
    FOGLINE_REQUIRED_INPUT(indices, ctx, 1);
    FOGLINE_TRY(check_index_type(indices, "GatherND indices"));
    const int r = data.rank(), q = indices.rank();
    const int64_t b = batch_dims_;
    if (q < 1 || r < 1 || b < 0 || b >= std::min(r, q)) {
      return invalid_argument("GatherND batch_dims " + std::to_string(b) + " does not fit data " +
                              shape_to_string(data.shape()) + " and indices " + shape_to_string(indices.shape()));
    }
    const int64_t k = indices.shape().back();
    if (k < 0 || k > r - b) {
      return invalid_argument("GatherND indices' last dim " + std::to_string(k) + " exceeds data rank " +
                              std::to_string(r) + " minus batch_dims " + std::to_string(b));
    }
    int64_t batch = 1;
    for (int d = 0; d < b; ++d) {
      if (data.dim(d) != indices.dim(d)) {
        return invalid_argument("GatherND batch dims differ: data " + shape_to_string(data.shape()) +
                                ", indices " + shape_to_string(indices.shape()));
      }
      batch *= data.dim(d);
    }
    Shape out_shape(indices.shape().begin(), indices.shape().end() - 1);
    out_shape.insert(out_shape.end(), data.shape().begin() + b + k, data.shape().end());
    int64_t slice = 1;
    for (int d = static_cast<int>(b + k); d < r; ++d) slice *= data.dim(d);
    const std::vector<int64_t> ds = contiguous_strides(data.shape());
    const int64_t batch_stride = b > 0 ? ds[static_cast<size_t>(b - 1)] : 0;
    const int64_t rows = k > 0 ? indices.numel() / k : numel(Shape(indices.shape().begin(), indices.shape().end() - 1));
    const int64_t rows_per_batch = batch ? rows / batch : 0;
    // Resolve every row to a data offset first, so bad indices fail before any output.
    std::vector<int64_t> offsets(static_cast<size_t>(rows));
    for (int64_t row = 0; row < rows; ++row) {
      int64_t off = rows_per_batch ? (row / rows_per_batch) * batch_stride : 0;
      for (int64_t j = 0; j < k; ++j) {
        int64_t v = index_at(indices, row * k + j);
        const int64_t dim = data.dim(static_cast<int>(b + j));
        if (!fix_index(v, dim)) {
          return invalid_argument("GatherND index " + std::to_string(index_at(indices, row * k + j)) +
                                  " is out of range for data dim " + std::to_string(b + j) + " of size " +
                                  std::to_string(dim));
        }
        off += v * ds[static_cast<size_t>(b + j)];
      }
      offsets[static_cast<size_t>(row)] = off;
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, data.dtype(), out_shape));
    return dispatch_by_width(data.dtype(), "GatherND", [&]<typename T>() -> Status {
      const T* in = data.data<T>();
      T* out = y->data<T>();
#pragma omp parallel for if (rows * slice > 65536 && rows > 1) num_threads(ctx.threads())
      for (int64_t row = 0; row < rows; ++row) copy_elements(in + offsets[static_cast<size_t>(row)], out + row * slice, slice);
      return Status::ok();
    });
  }

 private:
  int64_t batch_dims_;
};

Result<std::unique_ptr<Kernel>> make_gather_nd(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new GatherNDKernel(info.attrs().get_int("batch_dims", 0)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "GatherND", 11, 1000, Backend::kReference, make_gather_nd);

}  // namespace fogline::engine::ops
