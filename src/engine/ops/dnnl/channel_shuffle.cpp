// fogline.ChannelShuffle (fp32) on oneDNN's shuffle primitive, in the input's layout (NHWC
// inside a region). oneDNN views the channel axis as [C/G, G] and transposes it, G being its
// "group size"; ours views it as [g, C/g], so G = C/g.
#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct ShufflePrim {
  dnnl::shuffle_forward::primitive_desc pd;
  dnnl::shuffle_forward prim;
  dnnl::memory::desc src_md;
  Operand dst;  // the primitive writes in the source's layout; the output's may differ
  Shape shape;
};

class DnnlChannelShuffle : public DnnlKernel<ShufflePrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined)
      return unsupported("oneDNN ChannelShuffle handles float32 only");
    auto k = std::unique_ptr<DnnlChannelShuffle>(new DnnlChannelShuffle());
    k->group_ = info.attrs().get_int("group", 0);
    if (k->group_ <= 0) return invalid_argument("ChannelShuffle needs a positive 'group'");
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

  Result<std::shared_ptr<const ShufflePrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    if (x.size() < 2 || x.size() > 12 || x[1] % group_ != 0) return unsupported("ChannelShuffle shape");
    for (int64_t d : x)
      if (d == 0) return unsupported("empty tensors");
    auto p = std::make_shared<ShufflePrim>();
    p->shape = x;
    p->src_md = layout_md(x, in_layout_);
    p->pd = dnnl::shuffle_forward::primitive_desc(
        dnnl::shuffle_forward::desc(dnnl::prop_kind::forward_inference, p->src_md, 1, static_cast<int>(x[1] / group_)),
        cpu_engine(), base_attr());
    p->prim = dnnl::shuffle_forward(p->pd);
    p->dst.init(layout_md(x, out_layout_), p->src_md, false);
    return std::shared_ptr<const ShufflePrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const ShufflePrim& p) const override {
    return execute_unary(ctx, p.prim, p.pd, p.src_md, p.dst, p.shape);
  }

 private:
  DnnlChannelShuffle() = default;
  int64_t group_ = 0;
  std::string in_layout_, out_layout_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("fogline", "ChannelShuffle", 1, 1000, Backend::kDnnl, DnnlChannelShuffle::make);

}  // namespace fogline::engine::ops::dnnl_ops
