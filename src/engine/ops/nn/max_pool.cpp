// MaxPool (opset 1+): max over each window (padding never wins), with the optional Indices
// output as flat offsets into X in row-major (storage_order 0) or column-major spatial order.
#include <limits>

#include "engine/ops/nn/pool_util.h"

namespace fogline::engine::ops::nn {
namespace {

class MaxPoolKernel : public Kernel {
 public:
  MaxPoolKernel(Window w, bool column_major) : window_(std::move(w)), column_major_(column_major) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    Window w = window_;
    std::vector<int64_t> in, out;
    FOGLINE_ASSIGN_OR_RETURN(Shape yshape, pool_output_shape(x, w, "MaxPool", &in, &out));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
    Tensor* ind = nullptr;
    if (ctx.wants_output(1)) {
      FOGLINE_ASSIGN_OR_RETURN(ind, ctx.allocate_output(1, DataType::kInt64, yshape));
    }
    const PoolPlan plan(in, out, w);
    const int64_t planes = x.dim(0) * x.dim(1);
    const size_t n = in.size();
    std::vector<int64_t> col_strides(n, 1);
    for (size_t d = 1; d < n; ++d) col_strides[d] = col_strides[d - 1] * in[d - 1];
    return dispatch_types<FOGLINE_FLOAT_TYPES, int8_t, uint8_t>(x.dtype(), "MaxPool", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
      int64_t* pi = ind ? ind->data<int64_t>() : nullptr;
      const int64_t total = planes * plan.out_size;
      // Local copies: clang cannot capture the enclosing function's locals in a lambda nested
      // in an OpenMP region inside a generic lambda.
      const size_t rank = n;
      const int64_t* strides = col_strides.data();
#pragma omp parallel for if (total > 4096) num_threads(ctx.threads())
      for (int64_t i = 0; i < total; ++i) {
        const int64_t plane = i / plan.out_size, o = i % plan.out_size;
        const T* xp = px + plane * plan.in_size;
        C best = std::numeric_limits<C>::lowest();
        int64_t best_off = -1;
        int64_t best_col = 0;
        plan.for_each_tap(o, [&](int64_t off, const int64_t* idx) {
          const C v = static_cast<C>(xp[off]);
          if (best_off < 0 || v > best) {
            best = v;
            best_off = off;
            best_col = 0;
            for (size_t d = 0; d < rank; ++d) best_col += idx[d] * strides[d];
          }
        });
        py[i] = T(best);
        if (pi) pi[i] = best_off < 0 ? -1 : plane * plan.in_size + (column_major_ ? best_col : best_off);
      }
      return Status::ok();
    });
  }

 private:
  Window window_;
  bool column_major_;
};

Result<std::unique_ptr<Kernel>> make_max_pool(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(Window w, read_window(info.attrs()));
  if (w.kernel.empty()) return invalid_argument("MaxPool needs the kernel_shape attribute");
  return std::unique_ptr<Kernel>(new MaxPoolKernel(std::move(w), info.attrs().get_int("storage_order", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MaxPool", 1, 1000, Backend::kReference, make_max_pool);

}  // namespace fogline::engine::ops::nn
