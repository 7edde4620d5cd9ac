// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims and
// zeroes the rest; k is an optional scalar input.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class TriluKernel : public Kernel {
 public:
  explicit TriluKernel(bool upper) : upper_(upper) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (x.rank() < 2) return invalid_argument("Trilu input must have rank >= 2, got " + shape_to_string(x.shape()));
    int64_t k = 0;
    if (const Tensor* kt = ctx.input(1)) {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> kv, read_int64s(*kt, "Trilu k"));
      if (kv.size() != 1) return invalid_argument("Trilu k must be a scalar, got " + std::to_string(kv.size()) + " values");
      k = kv[0];
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
    const int64_t mats = rows * cols ? x.numel() / (rows * cols) : 0;
    return dispatch_by_width(x.dtype(), "Trilu", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      for (int64_t m = 0; m < mats; ++m) {
        for (int64_t i = 0; i < rows; ++i) {
          const int64_t base = (m * rows + i) * cols;
          for (int64_t j = 0; j < cols; ++j) {
            const bool keep = upper_ ? (j - i >= k) : (j - i <= k);
            out[base + j] = keep ? in[base + j] : T{};
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  bool upper_;
};

Result<std::unique_ptr<Kernel>> make_trilu(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new TriluKernel(info.attrs().get_int("upper", 1) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Trilu", 14, 1000, Backend::kReference, make_trilu);

}  // namespace fogline::engine::ops
