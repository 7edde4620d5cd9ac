// Mod: with fmod=0 the result takes the divisor's sign (Python %), with fmod=1 the dividend's
// (C fmod). Division by zero is undefined in ONNX; integers give 0 rather than trapping.
#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

template <typename C>
C mod_of(C a, C b, bool fmod) {
  if constexpr (std::is_integral_v<C>) {
    if (b == C(0)) return C(0);
    if constexpr (std::is_signed_v<C>) {
      if (b == C(-1)) return C(0);  // avoids INT_MIN % -1 overflow
    }
    C r = static_cast<C>(a % b);
    if constexpr (std::is_signed_v<C>) {
      if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<C>(r + b);
    }
    return r;
  } else {
    C r = std::fmod(a, b);
    if (!fmod && r != C(0) && ((r < C(0)) != (b < C(0)))) r += b;
    return r;
  }
}

class ModKernel : public Kernel {
 public:
  explicit ModKernel(bool fmod) : fmod_(fmod) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor& b = *ctx.input(1);
    if (a.dtype() != b.dtype()) {
      return invalid_argument(std::string("Mod inputs must have one type, got ") + dtype_name(a.dtype()) +
                              " and " + dtype_name(b.dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(a.shape(), b.shape()));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, a.dtype(), shape));
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(a.dtype(), "Mod", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* out = y->data<T>();
      for_each_broadcast<2>(shape, {a.shape(), b.shape()}, [&](int64_t i, int64_t ia, int64_t ib) {
        out[i] = T(mod_of<C>(static_cast<C>(pa[ia]), static_cast<C>(pb[ib]), fmod_));
      });
      return Status::ok();
    });
  }

 private:
  bool fmod_;
};

Result<std::unique_ptr<Kernel>> make_mod(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new ModKernel(info.attrs().get_int("fmod", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Mod", 10, 1000, Backend::kReference, make_mod);

}  // namespace fogline::engine::ops
