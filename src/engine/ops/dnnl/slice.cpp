// Slice (fp32, unit steps, constant starts/ends/axes) as a oneDNN reorder out of a sub-memory
// of the input, in the input's and the output's own layouts: inside an NHWC region a channel
// split (ShuffleNet's halves) or a spatial crop needs no trip through NCHW.
#include "engine/ops/dnnl/dnnl_kernel.h"
#include "engine/ops/shape/slice_window.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct SlicePrim {
  dnnl::reorder::primitive_desc pd;
  dnnl::reorder prim;
  dnnl::memory::desc src_md, sub_md, dst_md;
  Shape out_shape;
};

class DnnlSlice : public DnnlKernel<SlicePrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (info.opset() < 10) return unsupported("oneDNN Slice handles opset >= 10");
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined)
      return unsupported("oneDNN Slice handles float32 only");
    auto k = std::unique_ptr<DnnlSlice>(new DnnlSlice());
    std::vector<int64_t>* params[4] = {&k->starts_, &k->ends_, &k->axes_, &k->steps_};
    for (int i = 1; i <= 4; ++i) {
      if (!info.has_input(i)) {
        if (i <= 2) return unsupported("Slice without starts/ends");
        continue;
      }
      const Tensor* t = info.input_constant(i);
      if (!t) return unsupported("Slice with run-time starts/ends/axes/steps");
      FOGLINE_ASSIGN_OR_RETURN(*params[i - 1], read_int64s(*t, "Slice parameter"));
    }
    for (int64_t s : k->steps_)
      if (s != 1) return unsupported("Slice with steps other than 1");
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

  Result<std::shared_ptr<const SlicePrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    if (x.empty() || x.size() > 12) return unsupported("Slice rank");
    auto window = slice_window(x, starts_, ends_, axes_, steps_);
    if (!window.is_ok()) return unsupported(window.status().message());  // the reference reports it
    for (int64_t d : window->out_shape)
      if (d == 0) return unsupported("empty tensors");
    auto p = std::make_shared<SlicePrim>();
    p->out_shape = window->out_shape;
    p->src_md = layout_md(x, in_layout_);
    p->sub_md = p->src_md.submemory_desc(to_dims(p->out_shape), to_dims(Shape(window->start.begin(), window->start.end())));
    p->dst_md = layout_md(p->out_shape, out_layout_);
    const auto& eng = cpu_engine();
    p->pd = dnnl::reorder::primitive_desc(eng, p->sub_md, eng, p->dst_md, base_attr());
    p->prim = dnnl::reorder(p->pd);
    return std::shared_ptr<const SlicePrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const SlicePrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, p.out_shape));
    const auto& eng = cpu_engine();
    // The sub-memory descriptor carries the offset: it reads from the input's base pointer.
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_FROM, dnnl::memory(p.sub_md, eng, const_cast<void*>(ctx.input(0)->raw()))},
        {DNNL_ARG_TO, dnnl::memory(p.dst_md, eng, y->raw())}};
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlSlice() = default;
  std::vector<int64_t> starts_, ends_, axes_, steps_;
  std::string in_layout_, out_layout_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Slice", 10, 1000, Backend::kDnnl, DnnlSlice::make);

}  // namespace fogline::engine::ops::dnnl_ops
