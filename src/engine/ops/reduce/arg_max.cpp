// ArgMax / ArgMin: the int64 index of the largest / smallest value along `axis`; ties pick the
// first index, or the last with select_last_index (opset 12).
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

template <bool kMax>
class ArgExtremeKernel : public Kernel {
 public:
  ArgExtremeKernel(int64_t axis, bool keepdims, bool last) : axis_(axis), keepdims_(keepdims), last_(last) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const char* op = kMax ? "ArgMax" : "ArgMin";
    if (x.rank() == 0) return invalid_argument(std::string(op) + " input must have rank >= 1, got a scalar");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, x.rank(), ctx));
    const int64_t n = x.dim(axis);
    Shape out_shape;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < x.rank(); ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
      if (d != axis) out_shape.push_back(x.dim(d));
      else if (keepdims_) out_shape.push_back(1);
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt64, out_shape));
    if (y->numel() == 0) return Status::ok();
    if (n == 0) return invalid_argument(std::string(op) + " cannot reduce an empty axis " + std::to_string(axis));
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(x.dtype(), op, [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      int64_t* out = y->data<int64_t>();
      const int64_t total = outer * inner;
#pragma omp parallel for if (total * n > 32768 && total > 1) num_threads(ctx.threads())
      for (int64_t t = 0; t < total; ++t) {
        const T* p = in + (t / inner) * n * inner + t % inner;
        C best = static_cast<C>(p[0]);
        int64_t best_i = 0;
        for (int64_t j = 1; j < n; ++j) {
          const C v = static_cast<C>(p[j * inner]);
          const bool better = kMax ? (v > best) : (v < best);
          if (better || (last_ && v == best)) {
            best = v;
            best_i = j;
          }
        }
        out[t] = best_i;
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
  bool keepdims_;
  bool last_;
};

template <bool kMax>
Result<std::unique_ptr<Kernel>> make_arg(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new ArgExtremeKernel<kMax>(info.attrs().get_int("axis", 0),
                                                            info.attrs().get_int("keepdims", 1) != 0,
                                                            info.attrs().get_int("select_last_index", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ArgMax", 1, 1000, Backend::kReference, make_arg<true>);
FOGLINE_REGISTER_KERNEL("", "ArgMin", 1, 1000, Backend::kReference, make_arg<false>);

}  // namespace fogline::engine::ops
