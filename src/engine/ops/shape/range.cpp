// Range: start, start + delta, ... up to (not including) limit; n = max(ceil((limit - start) /
// delta), 0). The three scalar inputs share the output's type.
#include <cmath>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class RangeKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor* in[3] = {ctx.input(0), ctx.input(1), ctx.input(2)};
    for (int i = 0; i < 3; ++i) {
      if (!in[i] || in[i]->numel() != 1) {
        return invalid_argument("Range input " + std::to_string(i) + " must be a scalar");
      }
      if (in[i]->dtype() != in[0]->dtype()) {
        return invalid_argument(std::string("Range inputs must have one type, got ") +
                                dtype_name(in[0]->dtype()) + " and " + dtype_name(in[i]->dtype()));
      }
    }
    return dispatch_types<float, double, int16_t, int32_t, int64_t>(
        in[0]->dtype(), "Range", [&]<typename T>() -> Status {
          const T start = in[0]->data<T>()[0], limit = in[1]->data<T>()[0], delta = in[2]->data<T>()[0];
          if (delta == T(0)) return invalid_argument("Range delta is 0");
          int64_t n;
          if constexpr (std::is_floating_point_v<T>) {
            const double steps = std::ceil((static_cast<double>(limit) - start) / delta);
            if (!(steps < 9.0e18)) return invalid_argument("Range has too many elements");
            n = steps > 0 ? static_cast<int64_t>(steps) : 0;
          } else {
            // Widen so limit - start cannot overflow.
            const __int128 span = static_cast<__int128>(limit) - start;
            const __int128 d = delta;
            __int128 q = span / d;
            if (q * d != span && ((span > 0) == (d > 0))) ++q;
            n = q > 0 ? static_cast<int64_t>(q) : 0;
          }
          FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, in[0]->dtype(), {n}));
          T* out = y->data<T>();
          for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
          return Status::ok();
        });
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Range", 11, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(RangeKernel));

}  // namespace fogline::engine::ops
