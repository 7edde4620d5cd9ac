// Concat (fp32) on oneDNN's concat primitive, reading each input and writing the output in its
// own layout: inside an NHWC region (onednn-layout) the concatenation of channels no longer
// needs a reorder to NCHW and back around it (SqueezeNet's Fire modules, Inception, YOLO necks).
#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct ConcatPrim {
  dnnl::concat::primitive_desc pd;
  dnnl::concat prim;
  std::vector<dnnl::memory::desc> src_mds;
  dnnl::memory::desc dst_md;
  Shape out_shape;
};

class DnnlConcat : public DnnlKernel<ConcatPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (info.opset() < 4) return unsupported("oneDNN Concat handles opset >= 4 (axis required)");
    auto k = std::unique_ptr<DnnlConcat>(new DnnlConcat());
    k->axis_ = info.attrs().get_int("axis", 1);
    std::vector<Shape> shapes;
    bool all_static = info.num_inputs() > 0;
    for (int i = 0; i < info.num_inputs(); ++i) {
      if (info.input_dtype(i) != DataType::kFloat && info.input_dtype(i) != DataType::kUndefined)
        return unsupported("oneDNN Concat handles float32 only");
      k->layouts_.push_back(input_layout(info, i));
      auto s = info.input_static_shape(i);
      all_static = all_static && s;
      if (s) shapes.push_back(*s);
    }
    k->out_layout_ = output_layout(info, 0);
    if (!all_static) shapes.clear();
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    for (int i = 0; i < ctx.num_inputs(); ++i)
      if (!is_float(ctx.input(i))) return false;
    return ctx.num_inputs() > 0;
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override {
    std::vector<Shape> shapes;
    for (int i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(ctx.input(i)->shape());
    return shapes;
  }

  Result<std::shared_ptr<const ConcatPrim>> build(const std::vector<Shape>& s) const override {
    const int64_t rank = static_cast<int64_t>(s[0].size());
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (rank == 0 || rank > 12 || axis < 0 || axis >= rank) return unsupported("Concat axis or rank");
    auto p = std::make_shared<ConcatPrim>();
    p->out_shape = s[0];
    p->out_shape[static_cast<size_t>(axis)] = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      // Mismatched shapes are the reference kernel's to report.
      if (static_cast<int64_t>(s[i].size()) != rank) return unsupported("Concat inputs of different ranks");
      for (int64_t d = 0; d < rank; ++d) {
        if (s[i][static_cast<size_t>(d)] == 0) return unsupported("empty tensors");
        if (d != axis && s[i][static_cast<size_t>(d)] != s[0][static_cast<size_t>(d)])
          return unsupported("Concat inputs whose other dimensions differ");
      }
      p->out_shape[static_cast<size_t>(axis)] += s[i][static_cast<size_t>(axis)];
      p->src_mds.push_back(layout_md(s[i], layouts_[i]));
    }
    p->dst_md = layout_md(p->out_shape, out_layout_);
    p->pd = dnnl::concat::primitive_desc(p->dst_md, static_cast<int>(axis), p->src_mds, cpu_engine(), base_attr());
    p->prim = dnnl::concat(p->pd);
    return std::shared_ptr<const ConcatPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const ConcatPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, p.out_shape));
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    for (size_t i = 0; i < p.src_mds.size(); ++i)
      args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] =
          dnnl::memory(p.src_mds[i], eng, const_cast<void*>(ctx.input(static_cast<int>(i))->raw()));
    args[DNNL_ARG_DST] = dnnl::memory(p.dst_md, eng, y->raw());
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlConcat() = default;
  int64_t axis_ = 1;
  std::vector<std::string> layouts_;  // per input; "" = plain
  std::string out_layout_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Concat", 4, 1000, Backend::kDnnl, DnnlConcat::make);

}  // namespace fogline::engine::ops::dnnl_ops
