// Binary ops before opset 7 had no numpy broadcasting: with `broadcast=1`, B's dimensions
// line up with A's starting at `axis` (e.g. a [C] bias added to [N, C, H, W] with axis=1), or
// with A's trailing dimensions when `axis` is absent (which numpy broadcasting already does).
// FOGLINE_LEGACY_BINARY_OP defines an op that handles that case and otherwise uses
// elementwise.h's BinaryKernel.
#pragma once

#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {

// B viewed with A's rank so that its dimensions sit at A's `axis`, `axis + 1`, ...
inline Result<Tensor> legacy_align(const Tensor& a, const Tensor& b, int64_t axis_attr, const char* op) {
  if (b.numel() == 1) return b;
  const int64_t axis = axis_attr < 0 ? axis_attr + a.rank() : axis_attr;
  if (axis < 0 || axis + b.rank() > a.rank()) {
    return invalid_argument(std::string(op) + " axis " + std::to_string(axis_attr) + " does not fit B of shape " +
                            shape_to_string(b.shape()) + " into A of shape " + shape_to_string(a.shape()));
  }
  Shape s(static_cast<size_t>(a.rank()), 1);
  for (int i = 0; i < b.rank(); ++i) {
    if (b.dim(i) != a.dim(static_cast<int>(axis) + i) && b.dim(i) != 1) {
      return invalid_argument(std::string(op) + " B of shape " + shape_to_string(b.shape()) +
                              " does not match A of shape " + shape_to_string(a.shape()) + " at axis " +
                              std::to_string(axis_attr));
    }
    s[static_cast<size_t>(axis + i)] = b.dim(i);
  }
  return b.reshaped(s);
}

// Whether a node uses the opset < 7 axis-aligned broadcast.
inline bool uses_legacy_axis(const KernelBuildInfo& info) {
  return info.opset() < 7 && info.attrs().get_int("broadcast", 0) != 0 && info.attrs().has("axis");
}

template <typename F, typename Out, typename... Ts>
class LegacyAxisBinaryKernel : public Kernel {
 public:
  LegacyAxisBinaryKernel(int64_t axis, const char* op) : axis_(axis), op_(op) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor& b_in = *ctx.input(1);
    if (a.dtype() != b_in.dtype()) {
      return invalid_argument(std::string(op_) + " inputs must have one type, got " + dtype_name(a.dtype()) +
                              " and " + dtype_name(b_in.dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor b, legacy_align(a, b_in, axis_, op_));
    FOGLINE_ASSIGN_OR_RETURN(Shape shape, broadcast_shapes(a.shape(), b.shape()));
    using OutT = std::conditional_t<std::is_void_v<Out>, float, Out>;
    const DataType out_type = std::is_void_v<Out> ? a.dtype() : DataTypeOf<OutT>::value;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out_type, shape));
    return dispatch_types<Ts...>(a.dtype(), op_, [&]<typename T>() -> Status {
      using C = compute_t<T>;
      using O = std::conditional_t<std::is_void_v<Out>, T, Out>;
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      O* out = y->data<O>();
      F f;
      for_each_broadcast<2>(shape, {a.shape(), b.shape()}, [&](int64_t i, int64_t ia, int64_t ib) {
        out[i] = O(f(static_cast<C>(pa[ia]), static_cast<C>(pb[ib])));
      });
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
  const char* op_;
};

// The kernel for a binary op node: the legacy axis form when the node asks for it.
template <typename F, typename Out, typename... Ts>
Result<std::unique_ptr<Kernel>> make_binary_kernel(const KernelBuildInfo& info, const char* op) {
  if (uses_legacy_axis(info)) {
    return std::unique_ptr<Kernel>(new LegacyAxisBinaryKernel<F, Out, Ts...>(info.attrs().get_int("axis", 0), op));
  }
  return std::unique_ptr<Kernel>(new BinaryKernel<F, Out, Ts...>(op));
}

}  // namespace fogline::engine::ops

// Like FOGLINE_BINARY_OP_OUT, plus the opset < 7 `broadcast`/`axis` attributes.
#define FOGLINE_LEGACY_BINARY_OP(Name, OpString, Out, expr, ...)                               \
  namespace {                                                                                 \
  struct Name##Fn {                                                                           \
    template <typename C>                                                                     \
    auto operator()(C a, C b) const {                                                         \
      return expr;                                                                            \
    }                                                                                         \
  };                                                                                          \
  ::fogline::Result<std::unique_ptr<::fogline::engine::Kernel>> make_##Name(                  \
      const ::fogline::engine::KernelBuildInfo& info) {                                       \
    return ::fogline::engine::ops::make_binary_kernel<Name##Fn, Out, __VA_ARGS__>(info, OpString); \
  }                                                                                           \
  }                                                                                           \
  FOGLINE_REGISTER_KERNEL("", OpString, 1, 1000, Backend::kReference, make_##Name)
