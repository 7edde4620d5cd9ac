// MatMul and Gemm (fp32; bf16 compute with constant weights when the bf16-compute pass asks:
// the source is rounded into a bf16 copy, the output stays fp32) on oneDNN's matmul
// primitive, with the node's fused post-ops.
// MatMul with a 2-D right operand folds the left operand's batch dims into M (one big GEMM),
// which is also what lets constant weights be packed once into the primitive's layout.
// Gemm's transposes are strided descriptors; C is the bias (alpha == 1) or a leading binary
// add after the alpha output scale; a constant C is pre-multiplied by beta at load time.
#include "engine/ops/dnnl/dnnl_kernel.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct MatmulPrim {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  dnnl::memory::desc src_md, wei_md, bias_md, dst_md, c_add_md;
  Operand src;  // the source in the primitive's type (bf16 compute)
  PackedWeights packed;
  bool has_packed = false;
  bool has_bias = false, c_add = false;  // where Gemm's C goes
  Shape out_shape;
  std::vector<std::pair<int, int>> addends;
};

// Builds the primitive for src [.., M, K] x wei [.., K, N]; `wei_const` is packed when given.
// With `bf16` it computes in bf16 (the source reordered into a bf16 copy at run time).
Result<std::shared_ptr<MatmulPrim>> make_matmul_as(const dnnl::memory::desc& src, const dnnl::memory::desc& wei,
                                                   const dnnl::memory::desc& bias, const dnnl::memory::desc& dst,
                                                   const void* wei_const, const std::vector<PostOp>& post,
                                                   const dnnl::memory::desc* c_add, float alpha, bool bf16) {
  auto p = std::make_shared<MatmulPrim>();
  p->src_md = src;
  p->wei_md = wei;
  p->bias_md = bias;
  p->dst_md = dst;
  p->has_bias = bias.data.ndims > 0;
  p->c_add = c_add != nullptr;
  if (c_add) p->c_add_md = *c_add;
  FOGLINE_ASSIGN_OR_RETURN(MappedPostOps mapped, map_post_ops(post, dst, c_add));
  p->addends = mapped.addends;
  dnnl::primitive_attr attr = base_attr();
  attr.set_post_ops(mapped.ops);
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  const dt compute = bf16 ? dt::bf16 : dt::f32;
  auto wei_any = wei_const ? dnnl::memory::desc(wei.dims(), compute, tag::any) : wei;
  const dnnl::memory::dims src_dims = src.dims();  // dims() returns a copy
  const auto src_prim = bf16 ? plain_md(Shape(src_dims.begin(), src_dims.end()), dt::bf16) : src;
  p->pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_prim, wei_any, bias, dst), attr, cpu_engine());
  p->prim = dnnl::matmul(p->pd);
  p->src.init(src, p->pd.src_desc(), true);
  if (wei_const) {
    p->packed = pack_weights(wei, wei_const, p->pd.weights_desc());
    p->has_packed = true;
  }
  return p;
}

// make_matmul_as in bf16 when asked (constant weights only) and oneDNN has a fast kernel for
// it, else in fp32.
Result<std::shared_ptr<MatmulPrim>> make_matmul(const dnnl::memory::desc& src, const dnnl::memory::desc& wei,
                                                const dnnl::memory::desc& bias, const dnnl::memory::desc& dst,
                                                const void* wei_const, const std::vector<PostOp>& post,
                                                const dnnl::memory::desc* c_add, float alpha, bool bf16 = false) {
  if (bf16 && wei_const) {
    try {
      auto p = make_matmul_as(src, wei, bias, dst, wei_const, post, c_add, alpha, true);
      if (p.is_ok() && !is_reference_impl((*p)->pd)) return p;
    } catch (const dnnl::error&) {
    }
  }
  return make_matmul_as(src, wei, bias, dst, wei_const, post, c_add, alpha, false);
}

Status run_matmul(KernelContext& ctx, const MatmulPrim& p, const void* a, const void* b, const void* c) {
  FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, p.out_shape));
  if (y->numel() == 0) return Status::ok();
  const auto& eng = cpu_engine();
  auto mem = [&](const dnnl::memory::desc& md, const void* data) {
    return dnnl::memory(md, eng, const_cast<void*>(data));
  };
  std::unordered_map<int, dnnl::memory> args;
  args[DNNL_ARG_SRC] = p.src.needs_reorder() ? p.src.prepare_input(a, kSrcTmp, thread_stream()) : mem(p.src_md, a);
  args[DNNL_ARG_WEIGHTS] = p.has_packed ? p.packed.memory() : mem(p.wei_md, b);
  if (p.has_bias) args[DNNL_ARG_BIAS] = mem(p.bias_md, c);
  if (p.c_add) args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = mem(p.c_add_md, c);
  for (auto [index, input] : p.addends) {
    args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1] = mem(p.dst_md, ctx.input(input)->raw());
  }
  args[DNNL_ARG_DST] = mem(p.dst_md, y->raw());
  execute(p.prim, p.pd, std::move(args), thread_stream());
  return Status::ok();
}

int64_t product(const Shape& s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) n *= s[i];
  return n;
}

class DnnlMatMul : public DnnlKernel<MatmulPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    auto k = std::unique_ptr<DnnlMatMul>(new DnnlMatMul());
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined) {
      return unsupported("oneDNN MatMul handles float32 only");
    }
    k->post_ = info.node().post_ops;
    k->bf16_ = info.node().compute_bf16;
    k->has_bias_ = info.has_input(2);
    if (const Tensor* b = info.input_constant(1)) {
      if (b->dtype() == DataType::kFloat) k->weights_ = *b;
    }
    std::vector<Shape> shapes;
    auto as = info.input_static_shape(0), bs = info.input_static_shape(1);
    if (as && bs) shapes = {*as, *bs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    return is_float(ctx.input(0)) && is_float(ctx.input(1)) && (!has_bias_ || is_float(ctx.input(2)));
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override {
    return {ctx.input(0)->shape(), ctx.input(1)->shape()};
  }

  Result<std::shared_ptr<const MatmulPrim>> build(const std::vector<Shape>& s) const override {
    Shape a = s[0], b = s[1];
    if (a.empty() || b.empty()) return invalid_argument("MatMul inputs must have rank >= 1");
    const bool vec_a = a.size() == 1, vec_b = b.size() == 1;
    if (vec_a) a.insert(a.begin(), 1);
    if (vec_b) b.push_back(1);
    const int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
    if (b[b.size() - 2] != k) {
      return invalid_argument("MatMul inner dimensions differ: " + shape_to_string(s[0]) + " x " + shape_to_string(s[1]));
    }
    Shape ba(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
    FOGLINE_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(ba, bb));
    if (batch.size() + 2 > 12) return unsupported("MatMul rank above 12");
    Shape out = batch;
    if (!vec_a) out.push_back(m);
    if (!vec_b) out.push_back(n);
    for (int64_t d : out) if (d == 0) return unsupported("empty tensors");
    if (k == 0) return unsupported("empty tensors");

    std::shared_ptr<MatmulPrim> p;
    if (product(bb, 0, bb.size()) == 1) {
      // One GEMM: [batch * M, K] x [K, N].
      const int64_t rows = product(ba, 0, ba.size()) * m;
      FOGLINE_ASSIGN_OR_RETURN(p, make_matmul(plain_md({rows, k}), plain_md({k, n}),
                                              has_bias_ ? plain_md({1, n}) : dnnl::memory::desc(),
                                              plain_md({rows, n}), weights_.defined() ? weights_.raw() : nullptr,
                                              post_, nullptr, 1.0f, bf16_));
    } else {
      if (has_bias_) return unsupported("MatMul bias with a batched right operand");
      const size_t r = batch.size() + 2;
      a.insert(a.begin(), r - a.size(), 1);
      b.insert(b.begin(), r - b.size(), 1);
      Shape d = batch;
      d.push_back(m);
      d.push_back(n);
      FOGLINE_ASSIGN_OR_RETURN(p, make_matmul(plain_md(a), plain_md(b), dnnl::memory::desc(), plain_md(d), nullptr,
                                              post_, nullptr, 1.0f));
    }
    p->out_shape = out;
    return std::shared_ptr<const MatmulPrim>(std::move(p));
  }


  bool ready(const KernelContext& ctx, const MatmulPrim& p) const override {
    return addends_match(ctx, p.out_shape) &&
           (!has_bias_ || ctx.input(2)->numel() == p.out_shape.back());
  }

  Status execute(KernelContext& ctx, const MatmulPrim& p) const override {
    return run_matmul(ctx, p, ctx.input(0)->raw(), ctx.input(1)->raw(), has_bias_ ? ctx.input(2)->raw() : nullptr);
  }

 private:
  DnnlMatMul() = default;
  bool has_bias_ = false;  // input 2, from matmul-add-to-gemm
  bool bf16_ = false;      // Node::compute_bf16
  std::vector<PostOp> post_;
  Tensor weights_;
};

class DnnlGemm : public DnnlKernel<MatmulPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (info.opset() < 7) return unsupported("oneDNN Gemm handles opset >= 7");
    auto k = std::unique_ptr<DnnlGemm>(new DnnlGemm());
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined) {
      return unsupported("oneDNN Gemm handles float32 only");
    }
    const Attributes& at = info.attrs();
    k->alpha_ = at.get_float("alpha", 1.0f);
    k->beta_ = at.get_float("beta", 1.0f);
    k->trans_a_ = at.get_int("transA", 0) != 0;
    k->trans_b_ = at.get_int("transB", 0) != 0;
    k->post_ = info.node().post_ops;
    k->bf16_ = info.node().compute_bf16;
    k->has_c_ = info.has_input(2) && k->beta_ != 0.0f;
    if (const Tensor* b = info.input_constant(1)) {
      if (b->dtype() == DataType::kFloat) k->weights_ = *b;
    }
    if (k->has_c_) {
      const Tensor* c = info.input_constant(2);
      if (c && c->dtype() == DataType::kFloat) {
        // Fold beta into a private copy of the constant C.
        FOGLINE_ASSIGN_OR_RETURN(k->c_scaled_, c->clone());
        for (int64_t i = 0; i < c->numel(); ++i) k->c_scaled_.data<float>()[i] *= k->beta_;
      } else if (k->beta_ != 1.0f) {
        return unsupported("oneDNN Gemm: beta != 1 with a run-time C");
      }
    }
    std::vector<Shape> shapes;
    auto as = info.input_static_shape(0), bs = info.input_static_shape(1);
    std::optional<Shape> cs = k->has_c_ ? info.input_static_shape(2) : Shape{};
    if (as && bs && cs) shapes = {*as, *bs, *cs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    return is_float(ctx.input(0)) && is_float(ctx.input(1)) && (!has_c_ || is_float(ctx.input(2)));
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override {
    return {ctx.input(0)->shape(), ctx.input(1)->shape(), has_c_ ? ctx.input(2)->shape() : Shape{}};
  }

  Result<std::shared_ptr<const MatmulPrim>> build(const std::vector<Shape>& s) const override {
    const Shape &a = s[0], &b = s[1];
    if (a.size() != 2 || b.size() != 2) {
      return invalid_argument("Gemm inputs must be 2-D, got " + shape_to_string(a) + " and " + shape_to_string(b));
    }
    const int64_t m = trans_a_ ? a[1] : a[0], k = trans_a_ ? a[0] : a[1];
    const int64_t kb = trans_b_ ? b[1] : b[0], n = trans_b_ ? b[0] : b[1];
    if (k != kb) {
      return invalid_argument("Gemm inner dimensions differ: " + shape_to_string(a) + " x " + shape_to_string(b) +
                              (trans_a_ ? " (transA)" : "") + (trans_b_ ? " (transB)" : ""));
    }
    if (m == 0 || n == 0 || k == 0) return unsupported("empty tensors");
    auto src = trans_a_ ? strided_md({m, k}, {1, m}) : plain_md({m, k});
    auto wei = trans_b_ ? strided_md({k, n}, {1, k}) : plain_md({k, n});
    dnnl::memory::desc c_md;
    if (has_c_) {
      Shape c = s[2];
      if (c.size() > 2) return invalid_argument("Gemm C must have rank <= 2, got " + shape_to_string(c));
      c.insert(c.begin(), 2 - c.size(), 1);
      if ((c[0] != m && c[0] != 1) || (c[1] != n && c[1] != 1)) {
        return invalid_argument("Gemm C " + shape_to_string(s[2]) + " does not broadcast to [" + std::to_string(m) +
                                "," + std::to_string(n) + "]");
      }
      c_md = plain_md(c);
    }
    const bool c_is_bias = has_c_ && alpha_ == 1.0f;
    FOGLINE_ASSIGN_OR_RETURN(auto p, make_matmul(src, wei, c_is_bias ? c_md : dnnl::memory::desc(),
                                                 plain_md({m, n}), weights_.defined() ? weights_.raw() : nullptr,
                                                 post_, has_c_ && !c_is_bias ? &c_md : nullptr, alpha_, bf16_));
    p->out_shape = {m, n};
    return std::shared_ptr<const MatmulPrim>(std::move(p));
  }

  bool ready(const KernelContext& ctx, const MatmulPrim& p) const override { return addends_match(ctx, p.out_shape); }

  Status execute(KernelContext& ctx, const MatmulPrim& p) const override {
    const void* c = !has_c_ ? nullptr : c_scaled_.defined() ? c_scaled_.raw() : ctx.input(2)->raw();
    return run_matmul(ctx, p, ctx.input(0)->raw(), ctx.input(1)->raw(), c);
  }

 private:
  DnnlGemm() = default;
  float alpha_ = 1, beta_ = 1;
  bool trans_a_ = false, trans_b_ = false, has_c_ = false, bf16_ = false;
  std::vector<PostOp> post_;
  Tensor weights_, c_scaled_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MatMul", 1, 1000, Backend::kDnnl, DnnlMatMul::make);
FOGLINE_REGISTER_KERNEL("", "Gemm", 7, 1000, Backend::kDnnl, DnnlGemm::make);

}  // namespace fogline::engine::ops::dnnl_ops
