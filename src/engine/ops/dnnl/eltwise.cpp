// Standalone activations and unary maths (fp32) on oneDNN's eltwise primitive, for the ones no
// fusion pass could attach to a producer: Relu, LeakyRelu, Elu, Sigmoid, Tanh, HardSwish,
// Clip (constant bounds), Exp, Log, Sqrt, Abs, Neg. In the input's layout, so they can sit
// inside an NHWC region. Small tensors (a primitive call costs more than the work) run on
// the reference kernel.
#include <limits>

#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct EltwisePrim {
  dnnl::eltwise_forward::primitive_desc pd;
  dnnl::eltwise_forward prim;
  dnnl::memory::desc src_md;
  Operand dst;  // the primitive writes in the source's layout; the output's may differ
  Shape shape;
};

constexpr int64_t kMinElements = 4096;

struct EltwiseOp {
  dnnl::algorithm alg;
  float alpha = 0, beta = 0;
};

class DnnlEltwise : public DnnlKernel<EltwisePrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info, EltwiseOp op) {
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined)
      return unsupported("oneDNN eltwise handles float32 only");
    auto k = std::unique_ptr<DnnlEltwise>(new DnnlEltwise());
    k->op_ = op;
    k->in_layout_ = input_layout(info, 0);
    k->out_layout_ = output_layout(info, 0);
    k->tagged_ = has_layout_tags(info);
    std::vector<Shape> shapes;
    if (auto xs = info.input_static_shape(0)) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    // A tagged node must run here whatever its size: the reference reads plain bytes.
    return is_float(ctx.input(0)) && (tagged_ || ctx.input(0)->numel() >= kMinElements);
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const EltwisePrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    if (x.empty() || x.size() > 12) return unsupported("eltwise rank");
    for (int64_t d : x)
      if (d == 0) return unsupported("empty tensors");
    auto p = std::make_shared<EltwisePrim>();
    p->shape = x;
    p->src_md = layout_md(x, in_layout_);
    p->pd = dnnl::eltwise_forward::primitive_desc(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, op_.alg, p->src_md, op_.alpha, op_.beta),
        base_attr(), cpu_engine());
    p->prim = dnnl::eltwise_forward(p->pd);
    p->dst.init(layout_md(x, out_layout_), p->src_md, false);
    return std::shared_ptr<const EltwisePrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const EltwisePrim& p) const override {
    return execute_unary(ctx, p.prim, p.pd, p.src_md, p.dst, p.shape);
  }

 private:
  DnnlEltwise() = default;
  EltwiseOp op_;
  std::string in_layout_, out_layout_;
  bool tagged_ = false;
};

using A = dnnl::algorithm;

template <A alg>
Result<std::unique_ptr<Kernel>> make_plain(const KernelBuildInfo& i) {
  return DnnlEltwise::make(i, {alg});
}

Result<std::unique_ptr<Kernel>> make_leaky_relu(const KernelBuildInfo& i) {
  return DnnlEltwise::make(i, {A::eltwise_relu, i.attrs().get_float("alpha", 0.01f)});
}
Result<std::unique_ptr<Kernel>> make_elu(const KernelBuildInfo& i) {
  return DnnlEltwise::make(i, {A::eltwise_elu, i.attrs().get_float("alpha", 1.0f)});
}
Result<std::unique_ptr<Kernel>> make_neg(const KernelBuildInfo& i) { return DnnlEltwise::make(i, {A::eltwise_linear, -1.0f, 0.0f}); }

// Clip with constant bounds (attributes before opset 11, optional inputs after).
Result<std::unique_ptr<Kernel>> make_clip(const KernelBuildInfo& i) {
  float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
  if (i.opset() < 11) {
    lo = i.attrs().get_float("min", lo);
    hi = i.attrs().get_float("max", hi);
  } else {
    for (int k : {1, 2}) {
      if (!i.has_input(k)) continue;
      const Tensor* t = i.input_constant(k);
      if (!t || t->dtype() != DataType::kFloat || t->numel() != 1) return unsupported("Clip with run-time bounds");
      (k == 1 ? lo : hi) = t->data<float>()[0];
    }
  }
  // oneDNN clamps max-then-min; ONNX gives `max` everywhere when min > max.
  if (!(lo <= hi)) return unsupported("Clip with min > max");
  return DnnlEltwise::make(i, {A::eltwise_clip, lo, hi});
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Relu", 6, 1000, Backend::kDnnl, make_plain<A::eltwise_relu>);
FOGLINE_REGISTER_KERNEL("", "LeakyRelu", 6, 1000, Backend::kDnnl, make_leaky_relu);
FOGLINE_REGISTER_KERNEL("", "Elu", 6, 1000, Backend::kDnnl, make_elu);
FOGLINE_REGISTER_KERNEL("", "Sigmoid", 6, 1000, Backend::kDnnl, make_plain<A::eltwise_logistic>);
FOGLINE_REGISTER_KERNEL("", "Tanh", 6, 1000, Backend::kDnnl, make_plain<A::eltwise_tanh>);
FOGLINE_REGISTER_KERNEL("", "HardSwish", 14, 1000, Backend::kDnnl, make_plain<A::eltwise_hardswish>);
FOGLINE_REGISTER_KERNEL("", "Exp", 6, 1000, Backend::kDnnl, make_plain<A::eltwise_exp>);
FOGLINE_REGISTER_KERNEL("", "Log", 6, 1000, Backend::kDnnl, make_plain<A::eltwise_log>);
FOGLINE_REGISTER_KERNEL("", "Sqrt", 6, 1000, Backend::kDnnl, make_plain<A::eltwise_sqrt>);
FOGLINE_REGISTER_KERNEL("", "Abs", 6, 1000, Backend::kDnnl, make_plain<A::eltwise_abs>);
FOGLINE_REGISTER_KERNEL("", "Neg", 6, 1000, Backend::kDnnl, make_neg);
FOGLINE_REGISTER_KERNEL("", "Clip", 6, 1000, Backend::kDnnl, make_clip);

}  // namespace fogline::engine::ops::dnnl_ops
