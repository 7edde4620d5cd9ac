// Shrink: x < -lambd ? x + bias : (x > lambd ? x - bias : 0). Integer types compute in float
// (the attributes are floats) and convert back.
#include "engine/ops/activation/param_unary.h"

namespace fogline::engine::ops {
namespace {

struct ShrinkFn {
  template <typename C>
  C operator()(C x, const ActParams& p) const {
    const double v = static_cast<double>(x);
    const double lambd = p.alpha, bias = p.beta;
    return static_cast<C>(v < -lambd ? v + bias : (v > lambd ? v - bias : 0.0));
  }
};

Result<std::unique_ptr<Kernel>> make_shrink(const KernelBuildInfo& info) {
  ActParams p;
  p.alpha = info.attrs().get_float("lambd", 0.5f);
  p.beta = info.attrs().get_float("bias", 0.0f);
  return std::unique_ptr<Kernel>(new UnaryKernel<ShrinkFn, ActParams, FOGLINE_NUMERIC_TYPES>(p, "Shrink"));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Shrink", 9, 1000, Backend::kReference, make_shrink);

}  // namespace fogline::engine::ops
