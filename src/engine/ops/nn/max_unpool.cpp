// MaxUnpool (opset 9+): scatters X into a zeroed output at the flat positions in I (as
// MaxPool's Indices give them); the output shape is the inverse pool shape or output_shape.
#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

class MaxUnpoolKernel : public Kernel {
 public:
  explicit MaxUnpoolKernel(Window w) : window_(std::move(w)) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* ind = ctx.input(1);
    if (!ind) return invalid_argument("MaxUnpool needs the indices input I");
    if (x.rank() < 3 || ind->shape() != x.shape() || ind->dtype() != DataType::kInt64) {
      return invalid_argument("MaxUnpool expects X of rank >= 3 and int64 I of the same shape, got X " +
                              shape_to_string(x.shape()) + " and I " + dtype_name(ind->dtype()) +
                              shape_to_string(ind->shape()));
    }
    const size_t n = static_cast<size_t>(x.rank() - 2);
    Window w = window_;
    if (w.strides.empty()) w.strides.assign(n, 1);
    if (w.pads.empty()) w.pads.assign(2 * n, 0);
    if (w.kernel.size() != n || w.strides.size() != n || w.pads.size() != 2 * n) {
      return invalid_argument("MaxUnpool kernel_shape/strides/pads do not match " + std::to_string(n) +
                              " spatial dims");
    }
    Shape yshape = {x.dim(0), x.dim(1)};
    for (size_t d = 0; d < n; ++d) {
      yshape.push_back((x.dim(static_cast<int>(d) + 2) - 1) * w.strides[d] + w.kernel[d] - w.pads[d] - w.pads[d + n]);
    }
    for (int64_t d : yshape) {
      if (d <= 0) return invalid_argument("MaxUnpool output shape " + shape_to_string(yshape) + " is not positive");
    }
    // Indices address the pool-inverse shape; a given output_shape keeps each value at the same
    // coordinates (the extra rows / columns stay zero).
    const Shape natural = yshape;
    if (const Tensor* os = ctx.input(2)) {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> v, read_int64s(*os, "MaxUnpool output_shape"));
      if (v.size() != yshape.size()) {
        return invalid_argument("MaxUnpool output_shape " + shape_to_string(v) + " must have rank " +
                                std::to_string(yshape.size()));
      }
      yshape = v;
    }
    FOGLINE_ASSIGN_OR_RETURN(int64_t total, checked_numel(yshape));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
    std::vector<int64_t> pos(static_cast<size_t>(x.numel()));
    const int64_t natural_total = numel(natural);
    for (int64_t i = 0; i < x.numel(); ++i) {
      int64_t v = ind->data<int64_t>()[i];
      if (v < 0 || v >= natural_total) {
        return invalid_argument("MaxUnpool index " + std::to_string(v) + " is outside the unpooled shape " +
                                shape_to_string(natural));
      }
      int64_t off = 0, mul = 1;
      for (size_t d = natural.size(); d-- > 0;) {
        const int64_t c = v % natural[d];
        v /= natural[d];
        if (c >= yshape[d]) {
          return invalid_argument("MaxUnpool index " + std::to_string(ind->data<int64_t>()[i]) +
                                  " falls outside output_shape " + shape_to_string(yshape));
        }
        off += c * mul;
        mul *= yshape[d];
      }
      pos[static_cast<size_t>(i)] = off;
    }
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(x.dtype(), "MaxUnpool", [&]<typename T>() -> Status {
      T* py = y->data<T>();
      const T* px = x.data<T>();
      std::fill(py, py + total, T(0));
      for (int64_t i = 0; i < x.numel(); ++i) py[pos[static_cast<size_t>(i)]] = px[i];
      return Status::ok();
    });
  }

 private:
  Window window_;
};

Result<std::unique_ptr<Kernel>> make_max_unpool(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(Window w, read_window(info.attrs()));
  if (w.kernel.empty()) return invalid_argument("MaxUnpool needs the kernel_shape attribute");
  return std::unique_ptr<Kernel>(new MaxUnpoolKernel(std::move(w)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MaxUnpool", 9, 1000, Backend::kReference, make_max_unpool);

}  // namespace fogline::engine::ops::nn
