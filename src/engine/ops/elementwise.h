// Building blocks for element-wise ops, so that an op file is its formula and a registry line:
//   FOGLINE_UNARY_FLOAT_OP(Relu, "Relu", x > 0 ? x : 0);
//   FOGLINE_BINARY_OP(Add, "Add", a + b, FOGLINE_NUMERIC_TYPES);
#pragma once

#include <omp.h>

#include <cmath>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {

// Output = f(input) element by element, same type and shape. `F` is a functor with
// `template <typename C> C operator()(C x, const Params&) const` where C is the compute type;
// Params is what the factory read from the node once (the Attributes, or a small struct).
template <typename F, typename Params, typename... Ts>
class UnaryKernel : public Kernel {
 public:
  UnaryKernel(Params params, const char* op) : params_(std::move(params)), op_(op) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    return dispatch_types<Ts...>(x.dtype(), op_, [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const int64_t n = x.numel();
      F f;
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
      for (int64_t i = 0; i < n; ++i) out[i] = T(f(static_cast<C>(in[i]), params_));
      return Status::ok();
    });
  }

 private:
  Params params_;
  const char* op_;
};

// Output = f(a, b) under numpy broadcasting. `Out` is the output element type (void: same as input).
template <typename F, typename Out, typename... Ts>
class BinaryKernel : public Kernel {
 public:
  explicit BinaryKernel(const char* op) : op_(op) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor& b = *ctx.input(1);
    if (a.dtype() != b.dtype()) {
      return invalid_argument(std::string(op_) + " inputs must have one type, got " +
                              dtype_name(a.dtype()) + " and " + dtype_name(b.dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(a.shape(), b.shape()));
    DataType out_type = std::is_void_v<Out> ? a.dtype() : DataTypeOf<std::conditional_t<std::is_void_v<Out>, float, Out>>::value;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out_type, shape));
    return dispatch_types<Ts...>(a.dtype(), op_, [&]<typename T>() -> Status {
      using C = compute_t<T>;
      using O = std::conditional_t<std::is_void_v<Out>, T, Out>;
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      O* out = y->data<O>();
      F f;
      const int64_t n = numel(shape);
      if (a.shape() == shape && b.shape() == shape) {
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
        for (int64_t i = 0; i < n; ++i) out[i] = O(f(static_cast<C>(pa[i]), static_cast<C>(pb[i])));
      } else if (b.numel() == 1 && a.shape() == shape) {
        const C vb = static_cast<C>(pb[0]);
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
        for (int64_t i = 0; i < n; ++i) out[i] = O(f(static_cast<C>(pa[i]), vb));
      } else {
        for_each_broadcast<2>(shape, {a.shape(), b.shape()}, [&](int64_t i, int64_t ia, int64_t ib) {
          out[i] = O(f(static_cast<C>(pa[ia]), static_cast<C>(pb[ib])));
        });
      }
      return Status::ok();
    });
  }

 private:
  const char* op_;
};

}  // namespace fogline::engine::ops

// Defines and registers a float-only unary op; `expr` uses `x` (compute type C) and `attrs`.
#define FOGLINE_UNARY_OP_TYPES(Name, OpString, min_opset, expr, ...)                          \
  namespace {                                                                                 \
  struct Name##Fn {                                                                           \
    template <typename C>                                                                     \
    C operator()(C x, const ::fogline::engine::Attributes& attrs) const {                     \
      (void)attrs;                                                                            \
      return static_cast<C>(expr);                                                            \
    }                                                                                         \
  };                                                                                          \
  ::fogline::Result<std::unique_ptr<::fogline::engine::Kernel>> make_##Name(                  \
      const ::fogline::engine::KernelBuildInfo& info) {                                       \
    return std::unique_ptr<::fogline::engine::Kernel>(                                        \
        new ::fogline::engine::ops::UnaryKernel<Name##Fn, ::fogline::engine::Attributes, __VA_ARGS__>( \
            info.attrs(), OpString));                                                         \
  }                                                                                           \
  }                                                                                           \
  FOGLINE_REGISTER_KERNEL("", OpString, min_opset, 1000, Backend::kReference, make_##Name)

#define FOGLINE_UNARY_FLOAT_OP(Name, OpString, expr) \
  FOGLINE_UNARY_OP_TYPES(Name, OpString, 1, expr, FOGLINE_FLOAT_TYPES)

// Defines and registers a binary op; `expr` uses `a` and `b` (compute type C).
#define FOGLINE_BINARY_OP_OUT(Name, OpString, Out, expr, ...)                                  \
  namespace {                                                                                 \
  struct Name##Fn {                                                                           \
    template <typename C>                                                                     \
    auto operator()(C a, C b) const {                                                         \
      return expr;                                                                            \
    }                                                                                         \
  };                                                                                          \
  ::fogline::Result<std::unique_ptr<::fogline::engine::Kernel>> make_##Name(                  \
      const ::fogline::engine::KernelBuildInfo&) {                                            \
    return std::unique_ptr<::fogline::engine::Kernel>(                                        \
        new ::fogline::engine::ops::BinaryKernel<Name##Fn, Out, __VA_ARGS__>(OpString));      \
  }                                                                                           \
  }                                                                                           \
  FOGLINE_REGISTER_KERNEL("", OpString, 1, 1000, Backend::kReference, make_##Name)

#define FOGLINE_BINARY_OP(Name, OpString, expr, ...) \
  FOGLINE_BINARY_OP_OUT(Name, OpString, void, expr, __VA_ARGS__)
