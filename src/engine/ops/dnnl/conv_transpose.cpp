// ConvTranspose (1-3 spatial dims, fp32) on oneDNN deconvolution: groups, strides, dilations,
// pads / auto_pad / output_shape / output_padding, optional bias, fused post-ops.
// ONNX weights [C_in, C_out/G, k...] are described to oneDNN as (G, OC/G, IC/G, k...) with
// strides, and packed into the primitive's layout once when constant. output_padding extends
// the end of each spatial dim, which for oneDNN is a smaller (possibly negative) right pad.
#include "engine/ops/dnnl/conv_like.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct DeconvPrim {
  dnnl::deconvolution_forward::primitive_desc pd;
  dnnl::deconvolution_forward prim;
  Operand src, dst, wei;
  PackedWeights packed;
  bool has_packed = false;
  dnnl::memory::desc bias_md;
  Shape out_shape;
  std::vector<std::pair<int, int>> addends;
};

class DnnlConvTranspose : public ConvLikeDnnlKernel<DeconvPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    auto k = std::unique_ptr<DnnlConvTranspose>(new DnnlConvTranspose());
    k->output_padding_ = info.attrs().get_ints("output_padding");
    k->output_shape_ = info.attrs().get_ints("output_shape");
    FOGLINE_TRY(k->prepare(info, "ConvTranspose"));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  Result<std::shared_ptr<const DeconvPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    const Shape& w = s[1];
    const size_t rank = x.size();
    if (rank < 3 || rank > 5) return unsupported("oneDNN ConvTranspose handles 1-3 spatial dims");
    if (w.size() != rank) {
      return invalid_argument("ConvTranspose weights " + shape_to_string(w) + " do not match the input " +
                              shape_to_string(x));
    }
    const int64_t g = group_;
    if (g < 1 || x[1] != w[0] || w[0] % g != 0) {
      return invalid_argument("ConvTranspose input channels " + std::to_string(x[1]) + " do not match weights " +
                              shape_to_string(w) + " with group " + std::to_string(g));
    }
    const int64_t ic = w[0], ocg = w[1], oc = ocg * g, icg = ic / g;
    if (has_bias_ && (s[2].size() != 1 || s[2][0] != oc)) {
      return invalid_argument("ConvTranspose bias " + shape_to_string(s[2]) + " should be [" + std::to_string(oc) + "]");
    }
    for (int64_t d : x) if (d == 0) return unsupported("empty tensors");
    const size_t n = rank - 2;
    auto sized = [&](const std::vector<int64_t>& v, int64_t fill, const char* what) -> Result<std::vector<int64_t>> {
      if (v.empty()) return std::vector<int64_t>(n, fill);
      if (v.size() != n) return invalid_argument(std::string("ConvTranspose '") + what + "' has the wrong length");
      return v;
    };
    std::vector<int64_t> kernel(w.begin() + 2, w.end());
    if (!kernel_shape_.empty() && kernel_shape_ != kernel) {
      return invalid_argument("ConvTranspose kernel_shape differs from the weights " + shape_to_string(w));
    }
    FOGLINE_ASSIGN_OR_RETURN(auto strides, sized(strides_, 1, "strides"));
    FOGLINE_ASSIGN_OR_RETURN(auto dil, sized(dilations_, 1, "dilations"));
    FOGLINE_ASSIGN_OR_RETURN(auto opad, sized(output_padding_, 0, "output_padding"));
    std::vector<int64_t> pads = pads_.empty() ? std::vector<int64_t>(2 * n, 0) : pads_;
    if (pads.size() != 2 * n) return invalid_argument("ConvTranspose 'pads' has the wrong length");
    std::vector<int64_t> out_req = output_shape_;
    if (out_req.size() == rank) out_req.erase(out_req.begin(), out_req.begin() + 2);
    if (!out_req.empty() && out_req.size() != n) return invalid_argument("ConvTranspose 'output_shape' has the wrong length");

    Shape out_shape = {x[0], oc};
    std::vector<int64_t> pl(n), pr(n);
    for (size_t i = 0; i < n; ++i) {
      if (strides[i] < 1 || dil[i] < 1) return invalid_argument("ConvTranspose strides and dilations must be positive");
      const int64_t dk = (kernel[i] - 1) * dil[i] + 1, in = x[i + 2];
      const int64_t full = strides[i] * (in - 1) + opad[i] + dk;
      const bool same = auto_pad_ == "SAME_UPPER" || auto_pad_ == "SAME_LOWER";
      if (!out_req.empty() || same) {
        const int64_t out = !out_req.empty() ? out_req[i] : in * strides[i];
        const int64_t total = full - out;
        if (total < 0) return unsupported("ConvTranspose output larger than the full result");
        pl[i] = auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2;
        pr[i] = total - pl[i];
      } else if (auto_pad_ == "VALID") {
        pl[i] = pr[i] = 0;
      } else {
        pl[i] = pads[i];
        pr[i] = pads[i + n];
      }
      const int64_t out = full - pl[i] - pr[i];
      if (out <= 0) return invalid_argument("ConvTranspose output size is not positive");
      out_shape.push_back(out);
      pr[i] -= opad[i];  // oneDNN has no output_padding: it is the tail past the right pad
    }

    auto p = std::make_shared<DeconvPrim>();
    p->out_shape = out_shape;
    // (G, OC/G, IC/G, k...) over the ONNX bytes [G, IC/G, OC/G, k...].
    const int64_t ksz = product(kernel);
    Shape wdims = {g, ocg, icg}, wstr = {icg * ocg * ksz, ksz, ocg * ksz};
    Shape kstr(n);
    for (size_t i = n; i-- > 0;) kstr[i] = i + 1 == n ? 1 : kstr[i + 1] * kernel[i + 1];
    wdims.insert(wdims.end(), kernel.begin(), kernel.end());
    wstr.insert(wstr.end(), kstr.begin(), kstr.end());
    if (g == 1) {
      wdims.erase(wdims.begin());
      wstr.erase(wstr.begin());
    }
    const auto wei_user = strided_md(wdims, wstr);
    const auto any = [](const Shape& sh) { return dnnl::memory::desc(to_dims(sh), dt::f32, tag::any); };
    const auto src_user = plain_md(x), dst_user = plain_md(out_shape);
    p->bias_md = has_bias_ ? plain_md({oc}) : dnnl::memory::desc();
    FOGLINE_ASSIGN_OR_RETURN(MappedPostOps post, map_post_ops(post_, dst_user));
    p->addends = post.addends;
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(post.ops);
    auto make_pd = [&](bool blocked) {
      auto d = dnnl::deconvolution_forward::desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, blocked ? any(x) : src_user,
          any(wdims), p->bias_md, blocked ? any(out_shape) : dst_user, to_dims(strides), dnnl_dilations(dil),
          to_dims(pl), to_dims(pr));
      return dnnl::deconvolution_forward::primitive_desc(d, attr, cpu_engine());
    };
    try {
      p->pd = make_pd(true);
    } catch (const dnnl::error&) {
      p->pd = make_pd(false);
    }
    p->prim = dnnl::deconvolution_forward(p->pd);
    p->src.init(src_user, p->pd.src_desc(), true);
    p->dst.init(dst_user, p->pd.dst_desc(), false);
    if (weights_.defined()) {
      p->packed = pack_weights(wei_user, weights_.raw(), p->pd.weights_desc());
      p->has_packed = true;
    } else {
      p->wei.init(wei_user, p->pd.weights_desc(), true);
    }
    return std::shared_ptr<const DeconvPrim>(std::move(p));
  }

  bool ready(const KernelContext& ctx, const DeconvPrim& p) const override { return addends_match(ctx, p.out_shape); }

  Status execute(KernelContext& ctx, const DeconvPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, p.out_shape));
    auto& s = thread_stream();
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    args[DNNL_ARG_SRC] = p.src.prepare_input(ctx.input(0)->raw(), kSrcTmp, s);
    args[DNNL_ARG_WEIGHTS] =
        p.has_packed ? p.packed.memory() : p.wei.prepare_input(ctx.input(1)->raw(), kWeightsTmp, s);
    if (has_bias_) args[DNNL_ARG_BIAS] = dnnl::memory(p.bias_md, eng, const_cast<void*>(ctx.input(2)->raw()));
    for (auto [index, input] : p.addends) {
      args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1] =
          dnnl::memory(p.dst.user, eng, const_cast<void*>(ctx.input(input)->raw()));
    }
    dnnl::memory dst = p.dst.output_memory(y->raw(), kDstTmp);
    args[DNNL_ARG_DST] = dst;
    dnnl_ops::execute(p.prim, p.pd, std::move(args), s);
    p.dst.finish_output(dst, y->raw(), s);
    return Status::ok();
  }

 private:
  DnnlConvTranspose() = default;
  static int64_t product(const std::vector<int64_t>& v) {
    int64_t r = 1;
    for (int64_t d : v) r *= d;
    return r;
  }
  std::vector<int64_t> output_padding_, output_shape_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ConvTranspose", 1, 1000, Backend::kDnnl, DnnlConvTranspose::make);

}  // namespace fogline::engine::ops::dnnl_ops
