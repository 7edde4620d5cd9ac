// MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool (fp32; the max pools also on
// 8-bit values, which qdq-to-qlinear leaves between QLinearConvs; 1-3 spatial dims) on
// oneDNN pooling, in the input's layout (plain NCHW, or the one onednn-layout tagged it with;
// the output is reordered when its own layout differs). MaxPool's Indices output, and AveragePool cases whose
// count_include_pad semantics depend on ceil_mode's extra padding, are left to the reference.
#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct PoolPrim {
  dnnl::pooling_v2_forward::primitive_desc pd;
  dnnl::pooling_v2_forward prim;
  dnnl::memory::desc src_md;
  Operand src;  // 8-bit from plain NCHW: reordered into NHWC first
  Operand dst;  // the primitive writes in the source's layout; the output's may differ
  Shape out_shape;
};

enum class PoolKind { kMax, kAverage, kGlobalMax, kGlobalAverage };

class DnnlPool : public DnnlKernel<PoolPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info, PoolKind kind) {
    auto k = std::unique_ptr<DnnlPool>(new DnnlPool());
    k->kind_ = kind;
    k->in_layout_ = input_layout(info, 0);
    k->out_layout_ = output_layout(info, 0);
    const DataType in = info.input_dtype(0);
    const bool max = kind == PoolKind::kMax || kind == PoolKind::kGlobalMax;
    if (max && (in == DataType::kUInt8 || in == DataType::kInt8)) {
      k->dtype_ = in;  // a max of 8-bit values is the same 8-bit value: no scales involved
    } else if (in != DataType::kFloat && in != DataType::kUndefined) {
      return unsupported("oneDNN pooling handles float32 (and 8-bit max pooling) only");
    }
    const Attributes& a = info.attrs();
    if (kind == PoolKind::kMax || kind == PoolKind::kAverage) {
      k->kernel_ = a.get_ints("kernel_shape");
      if (k->kernel_.empty()) return unsupported("pooling without kernel_shape");
      k->strides_ = a.get_ints("strides");
      k->dilations_ = a.get_ints("dilations");
      k->pads_ = a.get_ints("pads");
      k->auto_pad_ = a.get_string("auto_pad", "NOTSET");
      k->ceil_mode_ = a.get_int("ceil_mode", 0) != 0;
      k->include_pad_ = a.get_int("count_include_pad", 0) != 0;
    }
    if (kind == PoolKind::kMax && info.num_outputs() > 1 && info.node().outputs[1] >= 0) {
      return unsupported("oneDNN MaxPool does not produce Indices");
    }
    if (kind == PoolKind::kAverage && !k->dilations_.empty()) {
      for (int64_t d : k->dilations_) if (d != 1) return unsupported("dilated AveragePool");
    }
    std::vector<Shape> shapes;
    if (auto xs = info.input_static_shape(0)) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    return dtype_ == DataType::kFloat ? is_float(ctx.input(0)) : ctx.input(0) && ctx.input(0)->dtype() == dtype_;
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const PoolPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    if (x.size() < 3 || x.size() > 5) return unsupported("oneDNN pooling handles 1-3 spatial dims");
    for (int64_t d : x) if (d == 0) return unsupported("empty tensors");
    Shape spatial(x.begin() + 2, x.end());
    const bool global = kind_ == PoolKind::kGlobalMax || kind_ == PoolKind::kGlobalAverage;
    Window w;
    if (global) {
      FOGLINE_ASSIGN_OR_RETURN(w, conv_window(spatial, spatial, {}, {}, {}, "NOTSET", false, "pooling"));
    } else {
      FOGLINE_ASSIGN_OR_RETURN(w, conv_window(spatial, kernel_, strides_, dilations_, pads_, auto_pad_, ceil_mode_,
                                              kind_ == PoolKind::kMax ? "MaxPool" : "AveragePool"));
      if (kind_ == PoolKind::kAverage && include_pad_ && ceil_mode_) {
        // Whether ceil_mode's extra right padding counts as "pad" differs between
        // implementations; the reference decides.
        return unsupported("AveragePool count_include_pad with ceil_mode");
      }
    }
    auto p = std::make_shared<PoolPrim>();
    p->out_shape = {x[0], x[1]};
    p->out_shape.insert(p->out_shape.end(), w.out.begin(), w.out.end());
    const dt type = dtype_ == DataType::kFloat ? dt::f32 : q8_type(dtype_);
    // oneDNN 2.6 pools 8-bit values only in channels-last layouts (plain NCHW gets its naive
    // reference kernel, ~100x slower: 13.6 ms for one SqueezeNet MaxPool), so 8-bit values
    // from outside a layout region are reordered to NHWC first.
    const std::string work = dtype_ != DataType::kFloat && in_layout_.empty() && x.size() == 4 ? "nhwc" : in_layout_;
    p->src_md = layout_md(x, work, type);
    p->src.init(layout_md(x, in_layout_, type), p->src_md, true);
    const auto dst_md = layout_md(p->out_shape, work, type);
    using A = dnnl::algorithm;
    A alg = (kind_ == PoolKind::kMax || kind_ == PoolKind::kGlobalMax) ? A::pooling_max
            : include_pad_                                              ? A::pooling_avg_include_padding
                                                                        : A::pooling_avg_exclude_padding;
    auto d = dnnl::pooling_v2_forward::desc(dnnl::prop_kind::forward_inference, alg, p->src_md, dst_md,
                                            to_dims(w.strides), to_dims(w.kernel), dnnl_dilations(w.dilations),
                                            to_dims(w.pad_l), to_dims(w.pad_r));
    p->pd = dnnl::pooling_v2_forward::primitive_desc(d, base_attr(), cpu_engine());
    p->prim = dnnl::pooling_v2_forward(p->pd);
    p->dst.init(layout_md(p->out_shape, out_layout_, type), dst_md, false);
    return std::shared_ptr<const PoolPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const PoolPrim& p) const override {
    return execute_unary(ctx, p.prim, p.pd, p.src_md, p.dst, p.out_shape, &p.src);
  }

 private:
  DnnlPool() = default;
  PoolKind kind_ = PoolKind::kMax;
  std::vector<int64_t> kernel_, strides_, dilations_, pads_;
  std::string auto_pad_;
  bool ceil_mode_ = false, include_pad_ = false;
  std::string in_layout_, out_layout_;  // "" = plain (see onednn-layout)
  DataType dtype_ = DataType::kFloat;
};

Result<std::unique_ptr<Kernel>> make_max(const KernelBuildInfo& i) { return DnnlPool::make(i, PoolKind::kMax); }
Result<std::unique_ptr<Kernel>> make_avg(const KernelBuildInfo& i) { return DnnlPool::make(i, PoolKind::kAverage); }
Result<std::unique_ptr<Kernel>> make_gmax(const KernelBuildInfo& i) { return DnnlPool::make(i, PoolKind::kGlobalMax); }
Result<std::unique_ptr<Kernel>> make_gavg(const KernelBuildInfo& i) {
  return DnnlPool::make(i, PoolKind::kGlobalAverage);
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MaxPool", 1, 1000, Backend::kDnnl, make_max);
FOGLINE_REGISTER_KERNEL("", "AveragePool", 1, 1000, Backend::kDnnl, make_avg);
FOGLINE_REGISTER_KERNEL("", "GlobalMaxPool", 1, 1000, Backend::kDnnl, make_gmax);
FOGLINE_REGISTER_KERNEL("", "GlobalAveragePool", 1, 1000, Backend::kDnnl, make_gavg);

}  // namespace fogline::engine::ops::dnnl_ops
