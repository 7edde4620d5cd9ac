// Softmax / LogSoftmax (fp32) on oneDNN softmax_v2. Opset >= 13 normalises one axis; older
// opsets coerce the input to 2-D at `axis` and normalise the second dim, which is the same
// primitive on the flattened view.
#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct SoftmaxPrim {
  dnnl::softmax_v2_forward::primitive_desc pd;
  dnnl::softmax_v2_forward prim;
  dnnl::memory::desc md;
};

class DnnlSoftmax : public DnnlKernel<SoftmaxPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info, bool log) {
    auto k = std::unique_ptr<DnnlSoftmax>(new DnnlSoftmax());
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined) {
      return unsupported("oneDNN softmax handles float32 only");
    }
    k->log_ = log;
    k->coerce_2d_ = info.opset() < 13;
    k->axis_ = info.attrs().get_int("axis", k->coerce_2d_ ? 1 : -1);
    std::vector<Shape> shapes;
    if (auto xs = info.input_static_shape(0)) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override { return is_float(ctx.input(0)); }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const SoftmaxPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    if (rank == 0) return unsupported("softmax of a scalar");
    if (rank > 12) return unsupported("rank above 12");
    const int64_t lo = -rank, hi = coerce_2d_ ? rank : rank - 1;  // coercion allows axis == rank
    if (axis_ < lo || axis_ > hi) {
      return invalid_argument("softmax axis " + std::to_string(axis_) + " is out of range for rank " +
                              std::to_string(rank));
    }
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    for (int64_t d : x) if (d == 0) return unsupported("empty tensors");
    auto p = std::make_shared<SoftmaxPrim>();
    int dnnl_axis = static_cast<int>(axis);
    if (coerce_2d_) {
      int64_t outer = 1, inner = 1;
      for (int64_t i = 0; i < rank; ++i) (i < axis ? outer : inner) *= x[static_cast<size_t>(i)];
      p->md = plain_md({outer, inner});
      dnnl_axis = 1;
    } else {
      p->md = plain_md(x);
    }
    auto d = dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference,
                                            log_ ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate,
                                            p->md, p->md, dnnl_axis);
    p->pd = dnnl::softmax_v2_forward::primitive_desc(d, base_attr(), cpu_engine());
    p->prim = dnnl::softmax_v2_forward(p->pd);
    return std::shared_ptr<const SoftmaxPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const SoftmaxPrim& p) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, x.shape()));
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(p.md, eng, const_cast<void*>(x.raw()))},
                                               {DNNL_ARG_DST, dnnl::memory(p.md, eng, y->raw())}};
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlSoftmax() = default;
  bool log_ = false, coerce_2d_ = false;
  int64_t axis_ = -1;
};

Result<std::unique_ptr<Kernel>> make_softmax(const KernelBuildInfo& i) { return DnnlSoftmax::make(i, false); }
Result<std::unique_ptr<Kernel>> make_log_softmax(const KernelBuildInfo& i) { return DnnlSoftmax::make(i, true); }

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Softmax", 1, 1000, Backend::kDnnl, make_softmax);
FOGLINE_REGISTER_KERNEL("", "LogSoftmax", 1, 1000, Backend::kDnnl, make_log_softmax);

}  // namespace fogline::engine::ops::dnnl_ops
