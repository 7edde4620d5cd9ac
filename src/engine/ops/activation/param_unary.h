// Element-wise activations with float attributes (alpha, beta, ...). The attributes are read
// once at load time into ActParams and run by elementwise.h's UnaryKernel.
#pragma once

#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {

struct ActParams {
  float alpha = 0, beta = 0, gamma = 0;
};

}  // namespace fogline::engine::ops

// Defines and registers an activation; `expr` uses x (compute type C), a, b, g (the params
// as C) and the attribute defaults are given as floats.
#define FOGLINE_PARAM_UNARY_OP(Name, OpString, alpha_default, beta_default, gamma_default, expr, ...) \
  namespace {                                                                                 \
  struct Name##Fn {                                                                           \
    template <typename C>                                                                     \
    C operator()(C x, const ::fogline::engine::ops::ActParams& p) const {                     \
      const C a = static_cast<C>(p.alpha), b = static_cast<C>(p.beta), g = static_cast<C>(p.gamma); \
      (void)a; (void)b; (void)g;                                                              \
      return static_cast<C>(expr);                                                            \
    }                                                                                         \
  };                                                                                          \
  ::fogline::Result<std::unique_ptr<::fogline::engine::Kernel>> make_##Name(                  \
      const ::fogline::engine::KernelBuildInfo& info) {                                       \
    ::fogline::engine::ops::ActParams p;                                                      \
    p.alpha = info.attrs().get_float("alpha", alpha_default);                                 \
    p.beta = info.attrs().get_float("beta", beta_default);                                    \
    p.gamma = info.attrs().get_float("gamma", gamma_default);                                 \
    return std::unique_ptr<::fogline::engine::Kernel>(                                        \
        new ::fogline::engine::ops::UnaryKernel<Name##Fn, ::fogline::engine::ops::ActParams, __VA_ARGS__>(p, OpString)); \
  }                                                                                           \
  }                                                                                           \
  FOGLINE_REGISTER_KERNEL("", OpString, 1, 1000, Backend::kReference, make_##Name)
