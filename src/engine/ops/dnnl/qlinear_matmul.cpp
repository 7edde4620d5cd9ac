// QLinearMatMul on oneDNN's int8 matmul: a [..., M, K] (u8/s8, a run-time input) times a
// constant s8 b [K, N] with zero points 0, per-tensor or per-column b scales, scalar a and y
// parameters. Requantisation as in qlinear_conv.cpp: the reference's float multiplier as
// oneDNN output scales, a round post-op before the dst zero point, src zero point by
// oneDNN's compensation; bit-exact with ops/quant/qlinear_matmul.cpp on VNNI/AMX CPUs.
// Leading dims of a are folded into M (a is row-major). Everything else runs on the reference.
#include "engine/ops/dnnl/dnnl_kernel.h"
#include "engine/ops/dnnl/quant_params.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct QMatMulPrim {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  PackedWeights packed;
  dnnl::memory::desc src_md, dst_md, zp_md;
  bool runtime_zp = false;
  Shape out_shape;
};

class DnnlQLinearMatMul : public DnnlKernel<QMatMulPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (has_layout_tags(info)) return unsupported("oneDNN QLinearMatMul: layout tags");
    auto k = std::unique_ptr<DnnlQLinearMatMul>(new DnnlQLinearMatMul());
    FOGLINE_ASSIGN_OR_RETURN(k->q_, read_quant_params(info, 1));
    k->weights_ = *info.input_constant(3);
    if (k->weights_.rank() != 2) return unsupported("oneDNN QLinearMatMul: b is not 2-D");
    std::vector<Shape> shapes;
    auto as = info.input_static_shape(0);
    if (as) shapes = {*as};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    const Tensor* a = ctx.input(0);
    return a && a->dtype() == q_.x_type;
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const QMatMulPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& a = s[0];
    const int64_t k = weights_.dim(0), n = weights_.dim(1);
    if (a.size() < 2 || a.back() != k) return unsupported("QLinearMatMul shapes");  // the reference reports it
    int64_t m = 1;
    for (size_t i = 0; i + 1 < a.size(); ++i) m *= a[i];
    if (m == 0 || k == 0 || n == 0) return unsupported("empty tensors");
    auto p = std::make_shared<QMatMulPrim>();
    p->out_shape = a;
    p->out_shape.back() = n;
    p->src_md = plain_md({m, k}, q8_type(q_.x_type));
    p->dst_md = plain_md({m, n}, q8_type(q_.y_type));
    p->zp_md = plain_md({1}, dt::s32);
    const auto wei_user = plain_md({k, n}, dt::s8);
    const dnnl::memory::desc wei_any({k, n}, dt::s8, tag::any);
    bool built = false;
    for (bool runtime_zp : {false, true}) {
      try {
        dnnl::primitive_attr attr = base_attr();
        attr.set_output_scales(q_.out_scales.size() > 1 ? 1 << 1 : 0, q_.out_scales);
        if (q_.x_zp != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {runtime_zp ? DNNL_RUNTIME_S32_VAL : q_.x_zp});
        if (q_.y_zp != 0) {
          attr.set_zero_points(DNNL_ARG_DST, 0, {runtime_zp ? DNNL_RUNTIME_S32_VAL : q_.y_zp});
          dnnl::post_ops po;  // round before the zero point is added (see qlinear_conv.cpp)
          po.append_eltwise(1.f, dnnl::algorithm::eltwise_round, 0.f, 0.f);
          attr.set_post_ops(po);
        }
        auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(p->src_md, wei_any, p->dst_md), attr, cpu_engine());
        if (is_reference_impl(pd)) continue;
        p->pd = pd;
        p->runtime_zp = runtime_zp;
        built = true;
        break;
      } catch (const dnnl::error&) {
      }
    }
    if (!built) return unsupported("no fast oneDNN int8 matmul for this configuration");
    p->prim = dnnl::matmul(p->pd);
    p->packed = pack_weights(wei_user, weights_.raw(), p->pd.weights_desc());
    return std::shared_ptr<const QMatMulPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const QMatMulPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, q_.y_type, p.out_shape));
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    args[DNNL_ARG_SRC] = dnnl::memory(p.src_md, eng, const_cast<void*>(ctx.input(0)->raw()));
    args[DNNL_ARG_WEIGHTS] = p.packed.memory();
    args[DNNL_ARG_DST] = dnnl::memory(p.dst_md, eng, y->raw());
    int32_t x_zp = q_.x_zp, y_zp = q_.y_zp;
    if (p.runtime_zp) {
      if (x_zp != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = dnnl::memory(p.zp_md, eng, &x_zp);
      if (y_zp != 0) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = dnnl::memory(p.zp_md, eng, &y_zp);
    }
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlQLinearMatMul() = default;
  QuantParams q_;
  Tensor weights_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "QLinearMatMul", 10, 1000, Backend::kDnnl, DnnlQLinearMatMul::make);

}  // namespace fogline::engine::ops::dnnl_ops
