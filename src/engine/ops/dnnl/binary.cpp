// Add, Sub, Mul, Div, and two-input Max/Min (fp32, numpy broadcasting) on oneDNN's binary
// primitive, for the elementwise ops that no fusion pass absorbed (attention masks, residual
// adds between non-fusable producers, scalings). oneDNN broadcasts only its second operand,
// so a commutative op with a broadcast first operand swaps them; Sub/Div in that case, small
// tensors (where a primitive call costs more than the work) and layout-tagged nodes (the
// per-channel Mul of channel_scale.cpp) are left to the other kernels.
#include "engine/ops/dnnl/dnnl_kernel.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct BinaryPrim {
  dnnl::binary::primitive_desc pd;
  dnnl::binary prim;
  dnnl::memory::desc src0_md, src1_md, dst_md;
  bool swapped = false;  // src0 is the node's input 1
  Shape out_shape;
};

// Below this many output elements the reference loop is faster than a primitive call.
constexpr int64_t kMinElements = 4096;

class DnnlBinary : public DnnlKernel<BinaryPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info, dnnl::algorithm alg, bool commutative) {
    const std::string& op = info.node().op_type;
    if (info.num_inputs() != 2) return unsupported("oneDNN " + op + " takes exactly two inputs");
    if (has_layout_tags(info)) return unsupported("layout-tagged " + op + " runs on its own kernel");
    for (int i = 0; i < 2; ++i)
      if (info.input_dtype(i) != DataType::kFloat && info.input_dtype(i) != DataType::kUndefined)
        return unsupported("oneDNN " + op + " handles float32 only");
    auto k = std::unique_ptr<DnnlBinary>(new DnnlBinary());
    k->alg_ = alg;
    k->commutative_ = commutative;
    std::vector<Shape> shapes;
    auto a = info.input_static_shape(0), b = info.input_static_shape(1);
    if (a && b) shapes = {*a, *b};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    if (!is_float(ctx.input(0)) || !is_float(ctx.input(1))) return false;
    return std::max(ctx.input(0)->numel(), ctx.input(1)->numel()) >= kMinElements;
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override {
    return {ctx.input(0)->shape(), ctx.input(1)->shape()};
  }

  Result<std::shared_ptr<const BinaryPrim>> build(const std::vector<Shape>& s) const override {
    auto out = broadcast_shapes(s[0], s[1]);
    if (!out.is_ok()) return unsupported(out.status().message());  // the reference reports it
    if (out->empty() || out->size() > 12) return unsupported("binary op rank");
    for (int64_t d : *out)
      if (d == 0) return unsupported("empty tensors");
    auto padded = [&](Shape x) {
      x.insert(x.begin(), out->size() - x.size(), 1);
      return x;
    };
    Shape a = padded(s[0]), b = padded(s[1]);
    auto p = std::make_shared<BinaryPrim>();
    p->out_shape = *out;
    if (a != *out) {
      if (b != *out || !commutative_) return unsupported("first operand broadcast");
      std::swap(a, b);
      p->swapped = true;
    }
    p->src0_md = plain_md(a);
    p->src1_md = plain_md(b);
    p->dst_md = plain_md(*out);
    p->pd = dnnl::binary::primitive_desc(dnnl::binary::desc(alg_, p->src0_md, p->src1_md, p->dst_md), base_attr(),
                                         cpu_engine());
    if (is_reference_impl(p->pd)) return unsupported("oneDNN has only its reference binary for these shapes");
    p->prim = dnnl::binary(p->pd);
    return std::shared_ptr<const BinaryPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const BinaryPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, p.out_shape));
    const auto& eng = cpu_engine();
    const Tensor* first = ctx.input(p.swapped ? 1 : 0);
    const Tensor* second = ctx.input(p.swapped ? 0 : 1);
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC_0, dnnl::memory(p.src0_md, eng, const_cast<void*>(first->raw()))},
        {DNNL_ARG_SRC_1, dnnl::memory(p.src1_md, eng, const_cast<void*>(second->raw()))},
        {DNNL_ARG_DST, dnnl::memory(p.dst_md, eng, y->raw())}};
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlBinary() = default;
  dnnl::algorithm alg_ = dnnl::algorithm::binary_add;
  bool commutative_ = true;
};

using A = dnnl::algorithm;
Result<std::unique_ptr<Kernel>> make_add(const KernelBuildInfo& i) { return DnnlBinary::make(i, A::binary_add, true); }
Result<std::unique_ptr<Kernel>> make_sub(const KernelBuildInfo& i) { return DnnlBinary::make(i, A::binary_sub, false); }
Result<std::unique_ptr<Kernel>> make_mul(const KernelBuildInfo& i) { return DnnlBinary::make(i, A::binary_mul, true); }
Result<std::unique_ptr<Kernel>> make_div(const KernelBuildInfo& i) { return DnnlBinary::make(i, A::binary_div, false); }
Result<std::unique_ptr<Kernel>> make_max(const KernelBuildInfo& i) { return DnnlBinary::make(i, A::binary_max, true); }
Result<std::unique_ptr<Kernel>> make_min(const KernelBuildInfo& i) { return DnnlBinary::make(i, A::binary_min, true); }

}  // namespace

// Opset 7 is where these ops took numpy broadcasting (8 for Max/Min).
FOGLINE_REGISTER_KERNEL("", "Add", 7, 1000, Backend::kDnnl, make_add);
FOGLINE_REGISTER_KERNEL("", "Sub", 7, 1000, Backend::kDnnl, make_sub);
FOGLINE_REGISTER_KERNEL("", "Mul", 7, 1000, Backend::kDnnl, make_mul);
FOGLINE_REGISTER_KERNEL("", "Div", 7, 1000, Backend::kDnnl, make_div);
FOGLINE_REGISTER_KERNEL("", "Max", 8, 1000, Backend::kDnnl, make_max);
FOGLINE_REGISTER_KERNEL("", "Min", 8, 1000, Backend::kDnnl, make_min);

}  // namespace fogline::engine::ops::dnnl_ops
