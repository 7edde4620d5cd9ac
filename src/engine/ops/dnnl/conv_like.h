// What Conv and ConvTranspose share on oneDNN: inputs X, W and an optional B, the window
// attributes, the fused post-ops, float32 only, constant weights kept for packing, and the
// primitive prebuilt at load time when the shapes are static.
#pragma once

#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {

template <typename Prim>
class ConvLikeDnnlKernel : public DnnlKernel<Prim> {
 protected:
  // Call last in the factory: prebuilding runs the subclass's `build`.
  Status prepare(const KernelBuildInfo& info, const std::string& op) {
    const Attributes& a = info.attrs();
    kernel_shape_ = a.get_ints("kernel_shape");
    strides_ = a.get_ints("strides");
    dilations_ = a.get_ints("dilations");
    pads_ = a.get_ints("pads");
    auto_pad_ = a.get_string("auto_pad", "NOTSET");
    group_ = a.get_int("group", 1);
    post_ = info.node().post_ops;
    has_bias_ = info.has_input(2);
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined) {
      return unsupported("oneDNN " + op + " handles float32 only");
    }
    if (const Tensor* w = info.input_constant(1)) {
      if (w->dtype() != DataType::kFloat) return unsupported("oneDNN " + op + ": weights are not float32");
      weights_ = *w;
    }
    std::vector<Shape> shapes;
    auto xs = info.input_static_shape(0), ws = info.input_static_shape(1);
    std::optional<Shape> bs = has_bias_ ? info.input_static_shape(2) : Shape{};
    if (xs && ws && bs) shapes = {*xs, *ws, *bs};
    return this->prebuild(info, shapes);
  }

  bool handles(const KernelContext& ctx) const override {
    return is_float(ctx.input(0)) && is_float(ctx.input(1)) && (!has_bias_ || is_float(ctx.input(2)));
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override {
    return {ctx.input(0)->shape(), ctx.input(1)->shape(), has_bias_ ? ctx.input(2)->shape() : Shape{}};
  }

  std::vector<int64_t> kernel_shape_, strides_, dilations_, pads_;
  std::string auto_pad_;
  int64_t group_ = 1;
  std::vector<PostOp> post_;
  bool has_bias_ = false;
  Tensor weights_;
};

}  // namespace fogline::engine::ops::dnnl_ops
