// Resize (fp32) on oneDNN's resampling primitive, for the cases resize_plan.h proves exact
// (YOLO necks' nearest 2x upsampling, half-pixel bilinear), in the input's layout so that an
// upsampling between convolutions stays inside an NHWC region.
#include "engine/ops/dnnl/dnnl_kernel.h"
#include "engine/ops/dnnl/resize_plan.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct ResamplingPrim {
  dnnl::resampling_forward::primitive_desc pd;
  dnnl::resampling_forward prim;
  dnnl::memory::desc src_md;
  Operand dst;
  Shape out;
};

class DnnlResize : public DnnlKernel<ResamplingPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined)
      return unsupported("oneDNN Resize handles float32 only");
    auto k = std::unique_ptr<DnnlResize>(new DnnlResize());
    for (int i : {2, 3}) {
      if (!info.has_input(i)) continue;
      const Tensor* t = info.input_constant(i);
      if (!t) return unsupported("Resize with run-time scales or sizes");
      (i == 2 ? k->scales_ : k->sizes_) = *t;  // shares the constant's bytes
    }
    k->attrs_ = info.attrs();
    k->opset_ = info.opset();
    k->in_layout_ = input_layout(info, 0);
    k->out_layout_ = output_layout(info, 0);
    std::vector<Shape> shapes;
    if (auto xs = info.input_static_shape(0)) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override { return is_float(ctx.input(0)); }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const ResamplingPrim>> build(const std::vector<Shape>& s) const override {
    FOGLINE_ASSIGN_OR_RETURN(ResizePlan plan, plan_dnnl_resize(attrs_, opset_, s[0], scales_.defined() ? &scales_ : nullptr,
                                                                sizes_.defined() ? &sizes_ : nullptr));
    auto p = std::make_shared<ResamplingPrim>();
    p->out = plan.out;
    p->src_md = layout_md(s[0], in_layout_);
    const auto dst_md = layout_md(plan.out, in_layout_);
    p->pd = dnnl::resampling_forward::primitive_desc(
        dnnl::resampling_forward::desc(dnnl::prop_kind::forward_inference, plan.alg, p->src_md, dst_md), base_attr(),
        cpu_engine());
    p->prim = dnnl::resampling_forward(p->pd);
    p->dst.init(layout_md(plan.out, out_layout_), dst_md, false);
    return std::shared_ptr<const ResamplingPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const ResamplingPrim& p) const override {
    return execute_unary(ctx, p.prim, p.pd, p.src_md, p.dst, p.out);
  }

 private:
  DnnlResize() = default;
  Tensor scales_, sizes_;  // undefined when absent
  Attributes attrs_;
  int opset_ = 0;
  std::string in_layout_, out_layout_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Resize", 11, 17, Backend::kDnnl, DnnlResize::make);

}  // namespace fogline::engine::ops::dnnl_ops
