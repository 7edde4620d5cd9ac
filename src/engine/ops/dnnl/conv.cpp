// Conv (1-D/2-D/3-D; fp32, or bf16 compute when the bf16-compute pass asks) on oneDNN: groups
// and depthwise, strides, dilations, pads and auto_pad, optional bias, and the node's fused
// post-ops. Activations the onednn-layout pass tagged (NHWC between oneDNN nodes) are used as
// they are; for plain ones the primitive picks its own (blocked) layout and we reorder from/to
// NCHW. Constant weights are reordered into the primitive's layout once, when the primitive
// is built.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "engine/ops/dnnl/conv_like.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

// Below this many FLOPs per run a convolution keeps oneDNN's first implementation.
constexpr double kPickMinFlops = 2e6;

// How a convolution's implementation is chosen among oneDNN's (DnnlConv::prefer_jit_depthwise,
// DnnlConv::pick_fastest):
// FOGLINE_CONV_PICK=time times the first few at build time and keeps the fastest (slower
// loading: each candidate is compiled and run); =0 keeps oneDNN's first everywhere; by
// default a fixed rule that needs no timing.
enum class PickMode { kFirst, kRule, kTime };
PickMode pick_mode() {
  static const PickMode mode = [] {
    const char* v = std::getenv("FOGLINE_CONV_PICK");
    const std::string s = v ? v : "";
    return s == "0" ? PickMode::kFirst : s == "time" ? PickMode::kTime : PickMode::kRule;
  }();
  return mode;
}

struct ConvPrim {
  // oneDNN 2.6's implementation iterator keeps a pointer to the operation descriptor, so the
  // descriptor lives here, beside the primitive descriptor that pick_fastest iterates.
  std::unique_ptr<dnnl::convolution_forward::desc> desc;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  Operand src, dst, wei;  // `wei` only when the weights are a run-time input
  Operand addend;         // a fused Add's operand, when it is a sum post-op (dst layout)
  dnnl::memory::desc addend_md;  // a fused Add's operand in its own layout
  bool sum = false;
  // A pointwise conv (1x1, stride 1, no pads, one group) is the GEMM W[OC,IC] x X[n][IC,HW] on
  // the plain NCHW bytes: no activation reorders at all (they cost more than the GEMM loses).
  bool as_matmul = false;
  dnnl::matmul::primitive_desc mm_pd;
  dnnl::matmul mm;
  dnnl::memory::desc mm_w, mm_x, mm_dst, mm_bias;
  PackedWeights packed;   // constant weights in the primitive's layout
  bool has_packed = false;
  dnnl::memory::desc bias_md;
  Shape out_shape;
  std::vector<std::pair<int, int>> addends;
};

class DnnlConv : public ConvLikeDnnlKernel<ConvPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    auto k = std::unique_ptr<DnnlConv>(new DnnlConv());
    k->in_layout_ = input_layout(info, 0);
    k->out_layout_ = output_layout(info, 0);
    k->bf16_ = info.node().compute_bf16;
    for (const PostOp& p : info.node().post_ops) {
      if (p.kind != PostOp::Kind::kAdd) continue;
      std::string l = input_layout(info, p.input);
      if (!l.empty() && !k->addend_layout_.empty() && l != k->addend_layout_) {
        return internal_error("Conv: fused Adds in different layouts");
      }
      if (!l.empty()) k->addend_layout_ = l;
    }
    FOGLINE_TRY(k->prepare(info, "Conv"));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  Result<std::shared_ptr<const ConvPrim>> build(const std::vector<Shape>& s) const override {
    if (bf16_) {
      auto p = build_as(s, true);
      if (p.is_ok() || p.status().code() == StatusCode::kInvalidArgument) return p;
      // A configuration oneDNN has no bf16 kernel for computes in fp32 (same operands).
    }
    return build_as(s, false);
  }

  Result<std::shared_ptr<const ConvPrim>> build_as(const std::vector<Shape>& s, bool bf16) const {
    const Shape& x = s[0];
    const Shape& w = s[1];
    const int rank = static_cast<int>(x.size());
    if (rank < 3 || rank > 5) return unsupported("oneDNN Conv handles 1-3 spatial dims");
    if (static_cast<int>(w.size()) != rank) {
      return invalid_argument("Conv weights " + shape_to_string(w) + " do not match the input " + shape_to_string(x));
    }
    const int64_t g = group_, oc = w[0];
    if (g < 1 || oc % g != 0 || x[1] != w[1] * g) {
      return invalid_argument("Conv input channels " + std::to_string(x[1]) + " do not match weights " +
                              shape_to_string(w) + " with group " + std::to_string(g));
    }
    if (has_bias_ && (s[2].size() != 1 || s[2][0] != oc)) {
      return invalid_argument("Conv bias " + shape_to_string(s[2]) + " should be [" + std::to_string(oc) + "]");
    }
    Shape in_spatial(x.begin() + 2, x.end());
    std::vector<int64_t> kernel(w.begin() + 2, w.end());
    if (!kernel_shape_.empty() && kernel_shape_ != kernel) {
      return invalid_argument("Conv kernel_shape " + shape_to_string(kernel_shape_) + " differs from weights " +
                              shape_to_string(w));
    }
    FOGLINE_ASSIGN_OR_RETURN(Window win,
                             conv_window(in_spatial, kernel, strides_, dilations_, pads_, auto_pad_, false, "Conv"));
    auto p = std::make_shared<ConvPrim>();
    p->out_shape = {x[0], oc};
    p->out_shape.insert(p->out_shape.end(), win.out.begin(), win.out.end());
    for (int64_t d : x) if (d == 0) return unsupported("empty tensors");

    // ONNX weights [OC, IC/G, k...] are oneDNN's goihw viewed as [G, OC/G, IC/G, k...].
    Shape wdims = w;
    if (g > 1) {
      wdims[0] = oc / g;
      wdims.insert(wdims.begin(), g);
    }
    const auto wei_user = plain_md(wdims);
    // bf16 compute (bf16-compute pass): the source and weights are bf16, the destination
    // whatever its value holds (a bf16 tag, else fp32). An fp32 convolution reads and writes
    // fp32; a bf16-tagged operand is converted on the way.
    const dt cdt = bf16 ? dt::bf16 : dt::f32;
    const auto any = [](const Shape& sh, dt type) { return dnnl::memory::desc(to_dims(sh), type, tag::any); };
    // Tagged operands (onednn-layout) are fixed in their layout; plain ones let the primitive
    // choose and are reordered to and from NCHW here.
    const auto src_user = layout_md(x, in_layout_), dst_user = layout_md(p->out_shape, out_layout_);
    const auto src_fixed = layout_md_as(x, in_layout_, cdt);
    const dt dst_type = bf16 ? dst_user.data_type() : dt::f32;
    const auto dst_fixed = layout_md_as(p->out_shape, out_layout_, dst_type);
    const auto addend_user = layout_md(p->out_shape, addend_layout_);
    p->bias_md = has_bias_ ? plain_md({oc}) : dnnl::memory::desc();

    bool pointwise = g == 1;
    for (size_t i = 0; i < kernel.size(); ++i) {
      pointwise = pointwise && kernel[i] == 1 && win.strides[i] == 1 && win.pad_l[i] == 0 && win.pad_r[i] == 0;
    }
    if (pointwise && !bf16 && in_layout_.empty() && out_layout_.empty() && addend_layout_.empty()) {
      // Y[n] [OC, HW] = W [OC, IC] x X[n] [IC, HW] on the plain bytes. oneDNN 2.6's fast matmul
      // takes a per-row bias only as a broadcast binary add, so the bias is the first post-op.
      const int64_t n = x[0], ic = x[1], hw = numel(Shape(in_spatial));
      p->mm_w = plain_md({1, oc, ic});
      p->mm_x = plain_md({n, ic, hw});
      p->mm_dst = plain_md({n, oc, hw});
      p->mm_bias = plain_md({1, oc, 1});
      FOGLINE_ASSIGN_OR_RETURN(MappedPostOps post,
                               map_post_ops(post_, p->mm_dst, has_bias_ ? &p->mm_bias : nullptr));
      p->addends = post.addends;
      dnnl::primitive_attr attr = base_attr();
      attr.set_post_ops(post.ops);
      try {
        p->mm_pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(p->mm_w, p->mm_x, p->mm_dst), attr, cpu_engine());
        if (!is_reference_impl(p->mm_pd)) {
          p->mm = dnnl::matmul(p->mm_pd);
          p->as_matmul = true;
          return std::shared_ptr<const ConvPrim>(std::move(p));
        }
      } catch (const dnnl::error&) {
      }
      p->addends.clear();  // fall through to the convolution primitive
    }

    // Let the primitive choose activation layouts. A fused Add is best a sum post-op (the
    // addend is copied into the destination first), which keeps the fast blocked kernels;
    // failing that a binary add on a plain operand, and finally plain layouts throughout.
    // `fixed`: tagged operands in their layout; else the primitive may pick theirs too.
    auto make_pd = [&](bool blocked, bool sum, bool fixed) -> Result<dnnl::convolution_forward::primitive_desc> {
      FOGLINE_ASSIGN_OR_RETURN(MappedPostOps post, map_post_ops(post_, addend_user, nullptr, sum));
      dnnl::primitive_attr attr = base_attr();
      attr.set_post_ops(post.ops);
      auto d = std::make_unique<dnnl::convolution_forward::desc>(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
          blocked && (in_layout_.empty() || !fixed) ? any(x, cdt) : src_fixed, any(wdims, cdt), p->bias_md,
          blocked && (out_layout_.empty() || !fixed) ? any(p->out_shape, dst_type) : dst_fixed,
          to_dims(win.strides), dnnl_dilations(win.dilations), to_dims(win.pad_l), to_dims(win.pad_r));
      dnnl::convolution_forward::primitive_desc pd(*d, attr, cpu_engine());
      p->desc = std::move(d);  // only once it made a primitive descriptor: `pd` points to it
      p->addends = post.addends;
      p->sum = sum && !post.addends.empty();
      return pd;
    };
    auto try_build = [&](bool fixed) {
      for (auto [blocked, sum] : {std::pair{true, true}, {true, false}, {false, false}}) {
        try {
          auto pd = make_pd(blocked, sum, fixed);
          if (!pd.is_ok()) continue;
          p->pd = std::move(pd).value();
          return true;
        } catch (const dnnl::error&) {
        }
      }
      return false;
    };
    bool built = try_build(true);
    // Some shapes (grouped convs with few channels per group) have no fast kernel in NHWC:
    // reordering around a fast blocked kernel beats oneDNN's naive one by far.
    const bool tagged = !in_layout_.empty() || !out_layout_.empty();
    if (tagged && (!built || is_reference_impl(p->pd))) built = try_build(false) || built;
    if (!built) return unsupported("no oneDNN convolution for this configuration");
    if (bf16 && is_reference_impl(p->pd)) return unsupported("no fast bf16 convolution for this configuration");
    p->addend_md = addend_user;
    // Small convolutions (a few microseconds) are not worth the time it takes to choose.
    double flops = 2.0 * static_cast<double>(numel(p->out_shape)) * static_cast<double>(w[1]);
    for (int64_t k : kernel) flops *= static_cast<double>(k);
    // In bf16 the order flips: brdgmm_dw ran MobileNetV2's depthwise convolutions in 0.7x
    // jit_dw's time (AMX machine, 1 thread), so oneDNN's first stays.
    if (pick_mode() == PickMode::kRule && !bf16) prefer_jit_depthwise(*p);
    if (weights_.defined() && flops >= kPickMinFlops && pick_mode() == PickMode::kTime) {
      std::string config = shape_to_string(x) + shape_to_string(w) + "g" + std::to_string(g) +
                           shape_to_string(win.strides) + shape_to_string(win.dilations) +
                           shape_to_string(win.pad_l) + shape_to_string(win.pad_r) + in_layout_ + "/" +
                           out_layout_ + "/" + addend_layout_ + (has_bias_ ? "b" : "") + (p->sum ? "s" : "") + (bf16 ? "bf16" : "");
      for (const PostOp& op : post_) {
        config += "," + std::to_string(static_cast<int>(op.kind)) + ":" + std::to_string(op.alpha) + ":" +
                  std::to_string(op.beta);
      }
      pick_fastest(*p, wei_user, config);
    }
    p->prim = dnnl::convolution_forward(p->pd);
    p->src.init(src_user, p->pd.src_desc(), true);
    p->dst.init(dst_user, p->pd.dst_desc(), false);
    if (p->sum) p->addend.init(addend_user, p->pd.dst_desc(), true);
    if (weights_.defined()) {
      p->packed = pack_weights(wei_user, weights_.raw(), p->pd.weights_desc());
      p->has_packed = true;
    } else {
      p->wei.init(wei_user, p->pd.weights_desc(), true);
    }
    return std::shared_ptr<const ConvPrim>(std::move(p));
  }

  // oneDNN 2.6 puts its brgemm depthwise kernel (brdgmm_dw) first, but in NHWC at batch 1
  // its older jit_dw kernel ran MobileNetV2's depthwise convolutions in 0.5-0.8x the time when
  // timed alone (AVX-512, 1 thread, a stride-1 and a stride-2 shape; within the whole network
  // the gain is a few percent at most). Same layouts, so no reorders.
  static void prefer_jit_depthwise(ConvPrim& p) {
    if (std::string(p.pd.impl_info_str()).rfind("brdgmm_dw", 0) != 0) return;
    auto alt = p.pd;
    while (alt.next_impl()) {
      if (is_reference_impl(alt)) break;
      if (std::string(alt.impl_info_str()).rfind("jit_dw", 0) != 0) continue;
      if (alt.src_desc() == p.pd.src_desc() && alt.dst_desc() == p.pd.dst_desc()) p.pd = alt;
      return;
    }
  }

  // oneDNN lists its implementations by preference, not by measured speed, and on batch-1
  // CNN shapes the first is often not the fastest (on MobileNetV2 in NHWC, AVX-512: jit_dw
  // runs the depthwise convs in 0.5-0.8x brdgmm_dw's time, jit_1x1 some 1x1s faster than
  // brgconv_1x1). So the first few non-reference implementations that keep the chosen source
  // and destination layouts (no extra reorders) run on zero-filled operands when the
  // primitive is built, and the fastest stays. They differ only in summation order. The
  // choice is kept per configuration for the process: networks repeat their convolutions,
  // and sessions of one model are opened many times.
  void pick_fastest(ConvPrim& p, const dnnl::memory::desc& wei_user, const std::string& config) const {
    constexpr int kCandidates = 3;
    std::vector<dnnl::convolution_forward::primitive_desc> options{p.pd};
    auto alt = p.pd;
    while (static_cast<int>(options.size()) < kCandidates && alt.next_impl()) {
      const std::string impl = alt.impl_info_str();
      // The im2col GEMM fallback is never the fastest here and costs most to time.
      if (is_reference_impl(alt) || impl.find("gemm") != std::string::npos) continue;
      if (alt.src_desc() != p.pd.src_desc() || alt.dst_desc() != p.pd.dst_desc()) continue;
      options.push_back(alt);
    }
    if (options.size() < 2) return;
    const std::string key = config + "|" + std::to_string(omp_get_max_threads()) + "|" + options[0].impl_info_str();
    static std::mutex mu;
    static std::map<std::string, std::string> chosen;  // key -> implementation name
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = chosen.find(key);
      if (it != chosen.end()) {
        for (const auto& pd : options) {
          if (it->second == pd.impl_info_str()) p.pd = pd;
        }
        return;
      }
    }
    double best = 1e30;
    for (const auto& pd : options) {
      const double t = time_conv(pd, p, wei_user);
      if (t < best) {
        best = t;
        p.pd = pd;
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    chosen.emplace(key, p.pd.impl_info_str());
  }

  // The best of a few timed batches of one implementation on zero-filled operands, in
  // seconds per run. Batches of at least ~0.1 ms, so that small convolutions are not timed
  // at the clock's resolution, and the minimum, which other processes disturb least.
  double time_conv(const dnnl::convolution_forward::primitive_desc& pd, const ConvPrim& p,
                   const dnnl::memory::desc& wei_user) const {
    PackedWeights w = pack_weights(wei_user, weights_.raw(), pd.weights_desc());
    auto args = zeroed_conv_args(pd, w.memory(), has_bias_);
    if (!p.sum) {
      for (auto [index, input] : p.addends) {
        (void)input;
        args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1] = zeroed_memory(p.addend_md);
      }
    }
    return best_seconds_per_run(dnnl::convolution_forward(pd), args);
  }

  bool ready(const KernelContext& ctx, const ConvPrim& p) const override {
    return addends_match(ctx, p.out_shape);
  }

  Status execute(KernelContext& ctx, const ConvPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, p.out_shape));
    auto& s = thread_stream();
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    if (p.as_matmul) {
      auto mem = [&](const dnnl::memory::desc& md, const void* d) { return dnnl::memory(md, eng, const_cast<void*>(d)); };
      args[DNNL_ARG_SRC] = mem(p.mm_w, ctx.input(1)->raw());
      args[DNNL_ARG_WEIGHTS] = mem(p.mm_x, ctx.input(0)->raw());
      if (has_bias_) args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = mem(p.mm_bias, ctx.input(2)->raw());
      for (auto [index, input] : p.addends) {
        args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1] = mem(p.mm_dst, ctx.input(input)->raw());
      }
      args[DNNL_ARG_DST] = mem(p.mm_dst, y->raw());
      dnnl_ops::execute(p.mm, p.mm_pd, std::move(args), s);
      return Status::ok();
    }
    args[DNNL_ARG_SRC] = p.src.prepare_input(ctx.input(0)->raw(), kSrcTmp, s);
    args[DNNL_ARG_WEIGHTS] = p.has_packed ? p.packed.memory() : p.wei.prepare_input(ctx.input(1)->raw(), kWeightsTmp, s);
    if (has_bias_) args[DNNL_ARG_BIAS] = dnnl::memory(p.bias_md, eng, const_cast<void*>(ctx.input(2)->raw()));
    dnnl::memory dst = p.dst.output_memory(y->raw(), kDstTmp);
    for (auto [index, input] : p.addends) {
      const void* a = ctx.input(input)->raw();
      if (!p.sum) {
        args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1] = dnnl::memory(p.addend_md, eng, const_cast<void*>(a));
      } else if (p.addend.needs_reorder()) {
        p.addend.reorder_into(a, dst, s);
      } else if (a != dst.get_data_handle()) {
        std::memcpy(dst.get_data_handle(), a, p.pd.dst_desc().get_size());
      }
    }
    args[DNNL_ARG_DST] = dst;
    dnnl_ops::execute(p.prim, p.pd, std::move(args), s);
    p.dst.finish_output(dst, y->raw(), s);
    return Status::ok();
  }

 private:
  DnnlConv() = default;
  std::string in_layout_, out_layout_, addend_layout_;  // "" = plain (see onednn-layout)
  bool bf16_ = false;  // Node::compute_bf16
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Conv", 1, 1000, Backend::kDnnl, DnnlConv::make);

}  // namespace fogline::engine::ops::dnnl_ops
