// QLinearConv (2-D, and 1-D/3-D) on oneDNN's int8 convolution: u8 or s8 activations, constant
// s8 weights with zero points 0, per-tensor or per-channel weight scales, an optional int32
// bias, input and output zero points. The requantisation
//   y = saturate(round_half_even((acc + B[m]) * x_scale * w_scale[m] / y_scale) + y_zp)
// becomes oneDNN's output scales (the same float multiplier the reference computes) and its
// src/dst zero points; oneDNN converts the scaled float to 8 bits with the CPU's default
// rounding (nearest, ties to even) and saturation, like the reference. Two differences are
// possible in principle and covered by the tests' tolerance of one step: oneDNN adds the bias
// in float (float(acc) + float(B), not float(acc + B)), which differs only when |acc| >= 2^24,
// and on CPUs without VNNI its u8 x s8 kernels may scale the weights by 1/2 to avoid the
// saturation of vpmaddubsw. Activations tagged by onednn-layout (NHWC) are used as they are.
// Everything else (u8 or non-zero weight zero points, run-time scales, channels_last) is left
// to the reference kernel in ops/quant/qlinear_conv.cpp.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>

#include "engine/ops/dnnl/dnnl_kernel.h"
#include "engine/ops/dnnl/quant_params.h"
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct QConvPrim {
  // oneDNN 2.6's implementation iterator (pd.next_impl(), pick_faster_than_amx) keeps a
  // pointer to the operation descriptor, so it lives here as long as `pd`.
  std::unique_ptr<dnnl::convolution_forward::desc> desc;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  Operand src, dst;
  PackedWeights packed;
  dnnl::memory::desc bias_md, zp_md;
  bool runtime_zp = false;  // zero points passed at execution (some oneDNN kernels want that)
  Shape out_shape;
};

class DnnlQLinearConv : public DnnlKernel<QConvPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    auto k = std::unique_ptr<DnnlQLinearConv>(new DnnlQLinearConv());
    const Attributes& a = info.attrs();
    if (a.get_int("channels_last", 0) != 0) return unsupported("oneDNN QLinearConv: channels_last");
    FOGLINE_ASSIGN_OR_RETURN(auto bounds, quant::clamp_bounds(info.node().post_ops));
    k->lo_ = bounds.first;
    k->hi_ = bounds.second;
    FOGLINE_ASSIGN_OR_RETURN(k->q_, read_quant_params(info, 0));
    k->kernel_shape_ = a.get_ints("kernel_shape");
    k->strides_ = a.get_ints("strides");
    k->dilations_ = a.get_ints("dilations");
    k->pads_ = a.get_ints("pads");
    k->auto_pad_ = a.get_string("auto_pad", "NOTSET");
    k->group_ = a.get_int("group", 1);
    k->has_bias_ = info.has_input(8);
    if (k->has_bias_ && info.input_dtype(8) != DataType::kInt32 && info.input_dtype(8) != DataType::kUndefined)
      return unsupported("oneDNN QLinearConv: bias is not int32");
    k->weights_ = *info.input_constant(3);
    k->in_layout_ = input_layout(info, 0);
    k->out_layout_ = output_layout(info, 0);
    std::vector<Shape> shapes;
    auto xs = info.input_static_shape(0);
    if (xs) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x || x->dtype() != q_.x_type) return false;
    if (has_bias_) {
      const Tensor* b = ctx.input(8);
      if (!b || b->dtype() != DataType::kInt32 || b->numel() != weights_.dim(0)) return false;
    }
    return true;
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const QConvPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    const Shape& w = weights_.shape();
    const int rank = static_cast<int>(x.size());
    if (rank < 3 || rank > 5 || static_cast<int>(w.size()) != rank) return unsupported("QLinearConv rank");
    const int64_t g = group_, oc = w[0];
    if (g < 1 || oc % g != 0 || x[1] != w[1] * g) return unsupported("QLinearConv channels");  // the reference reports it
    for (int64_t d : x) if (d == 0) return unsupported("empty tensors");
    Shape in_spatial(x.begin() + 2, x.end());
    std::vector<int64_t> kernel(w.begin() + 2, w.end());
    if (!kernel_shape_.empty() && kernel_shape_ != kernel) return unsupported("QLinearConv kernel_shape");
    auto win = conv_window(in_spatial, kernel, strides_, dilations_, pads_, auto_pad_, false, "QLinearConv");
    if (!win.is_ok()) return unsupported(win.status().message());
    auto p = std::make_shared<QConvPrim>();
    p->out_shape = {x[0], oc};
    p->out_shape.insert(p->out_shape.end(), win->out.begin(), win->out.end());

    Shape wdims = w;
    if (g > 1) {
      wdims[0] = oc / g;
      wdims.insert(wdims.begin(), g);
    }
    const dt xt = q8_type(q_.x_type), yt = q8_type(q_.y_type);
    const auto wei_user = plain_md(wdims, dt::s8);
    const auto src_user = layout_md(x, in_layout_, xt), dst_user = layout_md(p->out_shape, out_layout_, yt);
    p->bias_md = has_bias_ ? plain_md({oc}, dt::s32) : dnnl::memory::desc();
    p->zp_md = plain_md({1}, dt::s32);
    const auto any = [](const Shape& sh, dt t) { return dnnl::memory::desc(to_dims(sh), t, tag::any); };

    auto make_pd = [&](bool fixed, bool runtime_zp) {
      dnnl::primitive_attr attr = base_attr();
      attr.set_output_scales(q_.out_scales.size() > 1 ? 1 << 1 : 0, q_.out_scales);
      attr.set_post_ops(requantise_post_ops());
      if (q_.x_zp != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {runtime_zp ? DNNL_RUNTIME_S32_VAL : q_.x_zp});
      if (q_.y_zp != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {runtime_zp ? DNNL_RUNTIME_S32_VAL : q_.y_zp});
      auto d = std::make_unique<dnnl::convolution_forward::desc>(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
          (in_layout_.empty() || !fixed) ? any(x, xt) : src_user, any(wdims, dt::s8), p->bias_md,
          (out_layout_.empty() || !fixed) ? any(p->out_shape, yt) : dst_user, to_dims(win->strides),
          dnnl_dilations(win->dilations), to_dims(win->pad_l), to_dims(win->pad_r));
      dnnl::convolution_forward::primitive_desc pd(*d, attr, cpu_engine());
      return std::make_pair(std::move(d), std::move(pd));
    };
    // Tagged operands in their own layout first; else let the primitive pick and reorder.
    bool built = false;
    for (bool fixed : {true, false}) {
      for (bool runtime_zp : {false, true}) {
        if (built && !is_reference_impl(p->pd)) break;
        try {
          auto [desc, pd] = make_pd(fixed, runtime_zp);
          if (built && is_reference_impl(pd)) continue;
          p->desc = std::move(desc);
          p->pd = pd;
          p->runtime_zp = runtime_zp;
          built = true;
        } catch (const dnnl::error&) {
        }
      }
    }
    if (!built || is_reference_impl(p->pd)) return unsupported("no fast oneDNN int8 convolution for this configuration");
    pick_faster_than_amx(*p, wei_user);
    p->prim = dnnl::convolution_forward(p->pd);
    p->src.init(src_user, p->pd.src_desc(), true);
    p->dst.init(dst_user, p->pd.dst_desc(), false);
    p->packed = pack_weights(wei_user, weights_.raw(), p->pd.weights_desc());
    return std::shared_ptr<const QConvPrim>(std::move(p));
  }

  // oneDNN adds the dst zero point to the scaled float and rounds the sum; the reference
  // rounds first. Near a tie the float sum has lost the bits that decide the rounding
  // (0.4999999 + 127 = 127.5), so round in a post-op and the addition is exact. A fused
  // Relu / Clip clamps the rounded value to its rounded bounds (in units of y_scale, before
  // the zero point): rounding and clamping are monotone, so this is the reference's
  // clamp(q, q(lo), q(hi)).
  dnnl::post_ops requantise_post_ops() const {
    dnnl::post_ops po;
    const bool clamp_lo = std::isfinite(lo_), clamp_hi = std::isfinite(hi_);
    if (q_.y_zp == 0 && !clamp_lo && !clamp_hi) return po;
    po.append_eltwise(1.f, dnnl::algorithm::eltwise_round, 0.f, 0.f);
    if (!clamp_lo && !clamp_hi) return po;
    const float y_scale = q_.y_scale;
    const float lo = clamp_lo ? std::nearbyint(lo_ / y_scale) : -3e38f;
    const float hi = clamp_hi ? std::nearbyint(hi_ / y_scale) : 3e38f;
    if (lo == 0.f && !clamp_hi) {
      po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    } else {
      po.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, lo, hi);
    }
    return po;
  }

  // oneDNN lists its AMX kernels first, but for the small convolutions of a batch-1 CNN its
  // VNNI kernels are often faster (1.5-3x on MobileNetV2's 1x1s: tile set-up dominates).
  // When the chosen kernel is an AMX one and a VNNI one exists, both run a few times on
  // scratch data and the faster stays. Both compute exact int32 sums, so the choice never
  // changes the results, only the time.
  void pick_faster_than_amx(QConvPrim& p, const dnnl::memory::desc& wei_user) const {
    auto is_amx = [](const dnnl::primitive_desc_base& pd) {
      return std::string(pd.impl_info_str()).find("amx") != std::string::npos;
    };
    if (!is_amx(p.pd)) return;
    auto alt = p.pd;
    bool found = false;
    while (!found && alt.next_impl()) found = !is_amx(alt) && !is_reference_impl(alt);
    if (!found) return;
    if (time_once(alt, wei_user, p.runtime_zp) < time_once(p.pd, wei_user, p.runtime_zp)) p.pd = alt;
  }

  // One implementation's best seconds per run on zero-filled operands (best_seconds_per_run).
  double time_once(const dnnl::convolution_forward::primitive_desc& pd, const dnnl::memory::desc& wei_user,
                   bool runtime_zp) const {
    const auto& eng = cpu_engine();
    PackedWeights w = pack_weights(wei_user, weights_.raw(), pd.weights_desc());
    auto args = zeroed_conv_args(pd, w.memory(), has_bias_);
    int32_t x_zp = q_.x_zp, y_zp = q_.y_zp;
    const auto zp_md = plain_md({1}, dt::s32);
    if (runtime_zp && x_zp != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = dnnl::memory(zp_md, eng, &x_zp);
    if (runtime_zp && y_zp != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = dnnl::memory(zp_md, eng, &y_zp);
    return best_seconds_per_run(dnnl::convolution_forward(pd), args);
  }

  Status execute(KernelContext& ctx, const QConvPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, q_.y_type, p.out_shape));
    auto& s = thread_stream();
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    args[DNNL_ARG_SRC] = p.src.prepare_input(ctx.input(0)->raw(), kSrcTmp, s);
    args[DNNL_ARG_WEIGHTS] = p.packed.memory();
    if (has_bias_) args[DNNL_ARG_BIAS] = dnnl::memory(p.bias_md, eng, const_cast<void*>(ctx.input(8)->raw()));
    int32_t x_zp = q_.x_zp, y_zp = q_.y_zp;
    if (p.runtime_zp) {
      if (x_zp != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = dnnl::memory(p.zp_md, eng, &x_zp);
      if (y_zp != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = dnnl::memory(p.zp_md, eng, &y_zp);
    }
    dnnl::memory dst = p.dst.output_memory(y->raw(), kDstTmp);
    args[DNNL_ARG_DST] = dst;
    dnnl_ops::execute(p.prim, p.pd, std::move(args), s);
    p.dst.finish_output(dst, y->raw(), s);
    return Status::ok();
  }

 private:
  DnnlQLinearConv() = default;
  QuantParams q_;
  float lo_ = 0, hi_ = 0;  // fused Relu / Clip bounds (real values; +-inf: none)
  std::vector<int64_t> kernel_shape_, strides_, dilations_, pads_;
  std::string auto_pad_;
  int64_t group_ = 1;
  bool has_bias_ = false;
  Tensor weights_;
  std::string in_layout_, out_layout_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "QLinearConv", 10, 1000, Backend::kDnnl, DnnlQLinearConv::make);

}  // namespace fogline::engine::ops::dnnl_ops
