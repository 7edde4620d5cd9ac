// Pow: base ** exponent under broadcasting. Since opset 12 the exponent may have another type
// than the base; the output has the base's type.
#include "engine/ops/math/legacy_broadcast.h"

namespace fogline::engine::ops {
namespace {

// Exact integer power (std::pow through double loses precision for large int64).
template <typename B>
B int_pow(B base, int64_t e) {
  if (e < 0) {
    // Only 1 and -1 have integer reciprocals; everything else truncates to 0.
    if (base == B(1)) return B(1);
    if constexpr (std::is_signed_v<B>) {
      if (base == B(-1)) return (e % 2 == 0) ? B(1) : B(-1);
    }
    return B(0);
  }
  // Multiply in uint64: overflow wraps (the low bits are those of the narrow type's
  // wrapped product) instead of being undefined.
  uint64_t r = 1, b = static_cast<uint64_t>(static_cast<std::make_unsigned_t<B>>(base));
  while (e > 0) {
    if (e & 1) r *= b;
    b *= b;
    e >>= 1;
  }
  return static_cast<B>(r);
}

class PowKernel : public Kernel {
 public:
  explicit PowKernel(std::optional<int64_t> legacy_axis) : legacy_axis_(legacy_axis) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    Tensor b = *ctx.input(1);
    if (legacy_axis_) {
      FOGLINE_ASSIGN_OR_RETURN(b, legacy_align(a, b, *legacy_axis_, "Pow"));
    }
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(a.shape(), b.shape()));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, a.dtype(), shape));
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(a.dtype(), "Pow", [&]<typename T>() -> Status {
      return dispatch_types<FOGLINE_NUMERIC_TYPES>(b.dtype(), "Pow exponent", [&]<typename E>() -> Status {
        using CT = compute_t<T>;
        using CE = compute_t<E>;
        const T* pa = a.data<T>();
        const E* pb = b.data<E>();
        T* out = y->data<T>();
        for_each_broadcast<2>(shape, {a.shape(), b.shape()}, [&](int64_t i, int64_t ia, int64_t ib) {
          const CT base = static_cast<CT>(pa[ia]);
          const CE e = static_cast<CE>(pb[ib]);
          if constexpr (std::is_integral_v<CT> && std::is_integral_v<CE>) {
            out[i] = T(int_pow<CT>(base, static_cast<int64_t>(e)));
          } else if constexpr (std::is_same_v<CT, float> && std::is_same_v<CE, float>) {
            out[i] = T(std::pow(base, e));
          } else {
            const double r = std::pow(static_cast<double>(base), static_cast<double>(e));
            if constexpr (std::is_integral_v<CT>) {
              // Out-of-range double -> int is undefined; saturate instead.
              if (!(r == r)) {
                out[i] = T(0);
              } else if (r >= static_cast<double>(std::numeric_limits<CT>::max())) {
                out[i] = std::numeric_limits<CT>::max();
              } else if (r <= static_cast<double>(std::numeric_limits<CT>::lowest())) {
                out[i] = std::numeric_limits<CT>::lowest();
              } else {
                out[i] = T(static_cast<CT>(r));
              }
            } else {
              out[i] = T(static_cast<CT>(r));
            }
          }
        });
        return Status::ok();
      });
    });
  }

 private:
  std::optional<int64_t> legacy_axis_;
};

Result<std::unique_ptr<Kernel>> make_pow(const KernelBuildInfo& info) {
  std::optional<int64_t> axis;
  if (uses_legacy_axis(info)) axis = info.attrs().get_int("axis", 0);
  return std::unique_ptr<Kernel>(new PowKernel(axis));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Pow", 1, 1000, Backend::kReference, make_pow);

}  // namespace fogline::engine::ops
