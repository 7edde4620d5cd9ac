// MatMulInteger on oneDNN's int8 matmul, for dynamic quantisation (DynamicQuantizeLinear ->
// MatMulInteger -> Cast -> Mul, as quantisers write transformer / RNN MatMuls): a [..., M, K]
// u8/s8 with a per-tensor zero point that may be a run-time value (DynamicQuantizeLinear
// computes it), times a constant s8 b [K, N] with zero points 0, into int32. Integer sums
// are exact, so the result is the reference's bit for bit. Per-row a zero points, u8 or
// non-zero b zero points, and CPUs without VNNI (see quant_params.h) run on the reference.
#include "engine/ops/dnnl/dnnl_kernel.h"
#include "engine/ops/dnnl/quant_params.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct MatMulIntPrim {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  PackedWeights packed;
  dnnl::memory::desc src_md, dst_md, zp_md;
  Shape out_shape;
};

class DnnlMatMulInteger : public DnnlKernel<MatMulIntPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (!cpu_has_int8_dot()) return unsupported("oneDNN MatMulInteger: no VNNI");
    if (has_layout_tags(info)) return unsupported("oneDNN MatMulInteger: layout tags");
    const Tensor* b = info.input_constant(1);
    if (!b || b->dtype() != DataType::kInt8 || b->rank() != 2) return unsupported("oneDNN MatMulInteger: b is not a 2-D int8 constant");
    if (info.has_input(3)) {
      const Tensor* z = info.input_constant(3);
      if (!z) return unsupported("oneDNN MatMulInteger: b_zero_point is not a constant");
      for (int64_t i = 0; i < z->numel(); ++i)
        if (z->value_as_int(i) != 0) return unsupported("oneDNN MatMulInteger: a b zero point is not 0");
    }
    const DataType at = info.input_dtype(0);
    if (at != DataType::kUInt8 && at != DataType::kInt8) return unsupported("oneDNN MatMulInteger: a is not 8-bit");
    auto k = std::unique_ptr<DnnlMatMulInteger>(new DnnlMatMulInteger());
    k->a_type_ = at;
    k->weights_ = *b;
    k->has_a_zp_ = info.has_input(2);
    std::vector<Shape> shapes;
    auto as = info.input_static_shape(0);
    if (as) shapes = {*as};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    const Tensor* a = ctx.input(0);
    if (!a || a->dtype() != a_type_) return false;
    const Tensor* z = ctx.input(2);
    return !has_a_zp_ || (z && z->dtype() == a_type_ && z->numel() == 1);
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const MatMulIntPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& a = s[0];
    const int64_t k = weights_.dim(0), n = weights_.dim(1);
    if (a.size() < 2 || a.back() != k) return unsupported("MatMulInteger shapes");  // the reference reports it
    int64_t m = 1;
    for (size_t i = 0; i + 1 < a.size(); ++i) m *= a[i];
    if (m == 0 || k == 0 || n == 0) return unsupported("empty tensors");
    auto p = std::make_shared<MatMulIntPrim>();
    p->out_shape = a;
    p->out_shape.back() = n;
    p->src_md = plain_md({m, k}, a_type_ == DataType::kUInt8 ? dt::u8 : dt::s8);
    p->dst_md = plain_md({m, n}, dt::s32);
    p->zp_md = plain_md({1}, dt::s32);
    dnnl::primitive_attr attr = base_attr();
    if (has_a_zp_) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    p->pd = dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(p->src_md, dnnl::memory::desc({k, n}, dt::s8, tag::any), p->dst_md), attr, cpu_engine());
    if (is_reference_impl(p->pd)) return unsupported("no fast oneDNN int8 matmul for this configuration");
    p->prim = dnnl::matmul(p->pd);
    p->packed = pack_weights(plain_md({k, n}, dt::s8), weights_.raw(), p->pd.weights_desc());
    return std::shared_ptr<const MatMulIntPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const MatMulIntPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt32, p.out_shape));
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    args[DNNL_ARG_SRC] = dnnl::memory(p.src_md, eng, const_cast<void*>(ctx.input(0)->raw()));
    args[DNNL_ARG_WEIGHTS] = p.packed.memory();
    args[DNNL_ARG_DST] = dnnl::memory(p.dst_md, eng, y->raw());
    int32_t zp = has_a_zp_ ? static_cast<int32_t>(ctx.input(2)->value_as_int(0)) : 0;
    if (has_a_zp_) args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = dnnl::memory(p.zp_md, eng, &zp);
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlMatMulInteger() = default;
  DataType a_type_ = DataType::kUndefined;
  Tensor weights_;
  bool has_a_zp_ = false;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MatMulInteger", 10, 1000, Backend::kDnnl, DnnlMatMulInteger::make);

}  // namespace fogline::engine::ops::dnnl_ops
