// Max, Min, Sum and Mean: fold any number of inputs element-wise under numpy broadcasting.
// The fold runs in the compute type (float for float16) in a scratch buffer so that float16
// sums do not round after every input.
#pragma once

#include <vector>

#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {

// `F` has `template <typename C> C combine(C acc, C v) const` and
// `template <typename C> C finish(C acc, int count) const`.
template <typename F, typename... Ts>
class VariadicKernel : public Kernel {
 public:
  explicit VariadicKernel(const char* op) : op_(op) {}
  Status run(KernelContext& ctx) const override {
    std::vector<const Tensor*> ins;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (ctx.input(i)) ins.push_back(ctx.input(i));
    }
    if (ins.empty()) return invalid_argument(std::string(op_) + " needs at least one input");
    Shape shape = ins[0]->shape();
    for (size_t k = 1; k < ins.size(); ++k) {
      if (ins[k]->dtype() != ins[0]->dtype()) {
        return invalid_argument(std::string(op_) + " inputs must have one type, got " +
                                dtype_name(ins[0]->dtype()) + " and " + dtype_name(ins[k]->dtype()));
      }
      FOGLINE_ASSIGN_OR_RETURN(shape, broadcast_shapes(shape, ins[k]->shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, ins[0]->dtype(), shape));
    return dispatch_types<Ts...>(ins[0]->dtype(), op_, [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const int64_t n = numel(shape);
      std::vector<C> acc(static_cast<size_t>(n));
      F f;
      for (size_t k = 0; k < ins.size(); ++k) {
        const T* p = ins[k]->data<T>();
        for_each_broadcast<1>(shape, {ins[k]->shape()}, [&](int64_t i, int64_t j) {
          const C v = static_cast<C>(p[j]);
          acc[static_cast<size_t>(i)] = k == 0 ? v : f.combine(acc[static_cast<size_t>(i)], v);
        });
      }
      T* out = y->data<T>();
      const int count = static_cast<int>(ins.size());
      for (int64_t i = 0; i < n; ++i) out[i] = T(f.finish(acc[static_cast<size_t>(i)], count));
      return Status::ok();
    });
  }

 private:
  const char* op_;
};

}  // namespace fogline::engine::ops

#define FOGLINE_VARIADIC_OP(Name, OpString, combine_expr, finish_expr, ...)                    \
  namespace {                                                                                 \
  struct Name##Fn {                                                                           \
    template <typename C>                                                                     \
    C combine(C acc, C v) const { return static_cast<C>(combine_expr); }                      \
    template <typename C>                                                                     \
    C finish(C acc, int count) const { (void)count; return static_cast<C>(finish_expr); }     \
  };                                                                                          \
  ::fogline::Result<std::unique_ptr<::fogline::engine::Kernel>> make_##Name(                  \
      const ::fogline::engine::KernelBuildInfo&) {                                            \
    return std::unique_ptr<::fogline::engine::Kernel>(                                        \
        new ::fogline::engine::ops::VariadicKernel<Name##Fn, __VA_ARGS__>(OpString));         \
  }                                                                                           \
  }                                                                                           \
  FOGLINE_REGISTER_KERNEL("", OpString, 1, 1000, Backend::kReference, make_##Name)
