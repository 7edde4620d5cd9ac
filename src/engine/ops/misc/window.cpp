// HannWindow / HammingWindow / BlackmanWindow (opset 17): a 1-D window of `size` samples,
// periodic (denominator N) by default or symmetric (N - 1), in `output_datatype`.
#include <cmath>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

enum class WindowKind { kHann, kHamming, kBlackman };

double window_value(WindowKind kind, double x) {  // x = 2*pi*n/N
  switch (kind) {
    case WindowKind::kHann:
      return 0.5 - 0.5 * std::cos(x);
    case WindowKind::kHamming: {
      const double a0 = 25.0 / 46.0;
      return a0 - (1.0 - a0) * std::cos(x);
    }
    case WindowKind::kBlackman:
      return 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2.0 * x);
  }
  return 0;
}

class WindowKernel : public Kernel {
 public:
  WindowKernel(WindowKind kind, bool periodic, DataType out) : kind_(kind), periodic_(periodic), out_(out) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.has_input(0)) return invalid_argument("window op needs its 'size' input");
    const Tensor& s = *ctx.input(0);
    if (s.numel() != 1 || (s.dtype() != DataType::kInt64 && s.dtype() != DataType::kInt32)) {
      return invalid_argument(std::string("window size must be one int32/int64, got ") +
                              dtype_name(s.dtype()) + shape_to_string(s.shape()));
    }
    const int64_t size = s.value_as_int(0);
    if (size < 0) return invalid_argument("window size must be >= 0, got " + std::to_string(size));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out_, {size}));
    const double denom = static_cast<double>(periodic_ ? size : size - 1);
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(out_, "window op", [&]<typename T>() -> Status {
      T* d = y->data<T>();
      for (int64_t n = 0; n < size; ++n) {
        // A symmetric window of one sample has denominator 0; numpy-style it is 1.
        double x = denom > 0 ? 2.0 * M_PI * static_cast<double>(n) / denom : 0.0;
        d[n] = static_cast<T>(static_cast<compute_t<T>>(window_value(kind_, x)));
      }
      return Status::ok();
    });
  }

 private:
  WindowKind kind_;
  bool periodic_;
  DataType out_;
};

template <WindowKind K>
Result<std::unique_ptr<Kernel>> make_window(const KernelBuildInfo& info) {
  int64_t dt = info.attrs().get_int("output_datatype", 1);
  if (!dtype_is_known(static_cast<int32_t>(dt)) || dt == static_cast<int64_t>(DataType::kString) ||
      dt == static_cast<int64_t>(DataType::kBool)) {
    return invalid_argument("window op output_datatype " + std::to_string(dt) + " is not a numeric type");
  }
  return std::unique_ptr<Kernel>(new WindowKernel(K, info.attrs().get_int("periodic", 1) != 0,
                                                  static_cast<DataType>(dt)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "HannWindow", 17, 1000, Backend::kReference, make_window<WindowKind::kHann>);
FOGLINE_REGISTER_KERNEL("", "HammingWindow", 17, 1000, Backend::kReference, make_window<WindowKind::kHamming>);
FOGLINE_REGISTER_KERNEL("", "BlackmanWindow", 17, 1000, Backend::kReference, make_window<WindowKind::kBlackman>);

}  // namespace fogline::engine::ops
