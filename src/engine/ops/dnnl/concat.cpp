// Concat (fp32) on oneDNN's concat primitive, reading each input and writing the output in its
// own layout: inside an NHWC region (onednn-layout) the concatenation of channels no longer
// needs a reorder to NCHW and back around it (SqueezeNet's Fire modules, Inception, YOLO necks).
#include <cstring>
#include <map>

#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

struct ConcatPrim {
  dnnl::concat::primitive_desc pd;
  dnnl::concat prim;
  std::vector<dnnl::memory::desc> src_mds;  // in the working layout
  std::vector<Operand> inputs;              // input layout -> working layout
  size_t reorder_bytes = 0;                 // temporaries for the inputs that need a reorder
  Operand dst;                              // working layout -> output layout
  // Plain working layout: block copies (outer x per-input inner bytes), faster than oneDNN's
  // simple concat there.
  bool plain = false;
  int64_t outer = 1;
  std::vector<size_t> block_bytes;
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
    // The working layout: the one most input bytes are in (the output's on a tie).
    std::map<std::string, int64_t> bytes_in;
    for (size_t i = 0; i < s.size(); ++i) bytes_in[layouts_[i]] += numel(s[i]);
    std::string work = out_layout_;
    for (const auto& [layout, bytes] : bytes_in)
      if (bytes > bytes_in[work]) work = layout;
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
      p->src_mds.push_back(layout_md(s[i], work));
      p->inputs.emplace_back();
      p->inputs.back().init(layout_md(s[i], layouts_[i]), p->src_mds.back(), true);
      if (p->inputs.back().needs_reorder()) p->reorder_bytes += (p->src_mds.back().get_size() + 63) / 64 * 64;
    }
    const dnnl::memory::desc work_dst = layout_md(p->out_shape, work);
    p->dst.init(layout_md(p->out_shape, out_layout_), work_dst, false);
    p->plain = work.empty();
    if (p->plain) {
      for (int64_t d = 0; d < axis; ++d) p->outer *= p->out_shape[static_cast<size_t>(d)];
      for (const Shape& in : s) p->block_bytes.push_back(static_cast<size_t>(numel(in) / p->outer) * sizeof(float));
    } else {
      p->pd = dnnl::concat::primitive_desc(work_dst, static_cast<int>(axis), p->src_mds, cpu_engine(), base_attr());
      p->prim = dnnl::concat(p->pd);
    }
    return std::shared_ptr<const ConcatPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const ConcatPrim& p) const override {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, p.out_shape));
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    char* temp = p.reorder_bytes ? static_cast<char*>(thread_buffer(kAuxTmp, p.reorder_bytes)) : nullptr;
    for (size_t i = 0; i < p.src_mds.size(); ++i) {
      const void* data = ctx.input(static_cast<int>(i))->raw();
      if (p.inputs[i].needs_reorder()) {
        dnnl::memory converted(p.src_mds[i], eng, temp);
        p.inputs[i].reorder_into(data, converted, thread_stream());
        temp += (p.src_mds[i].get_size() + 63) / 64 * 64;
        args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = converted;
      } else {
        args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = dnnl::memory(p.src_mds[i], eng, const_cast<void*>(data));
      }
    }
    dnnl::memory dst = p.dst.output_memory(y->raw(), kDstTmp);
    args[DNNL_ARG_DST] = dst;
    if (p.plain) {
      copy_blocks(p, args, static_cast<char*>(dst.get_data_handle()), ctx.threads());
    } else {
      dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    }
    p.dst.finish_output(dst, y->raw(), thread_stream());
    return Status::ok();
  }

 private:
  DnnlConcat() = default;

  static void copy_blocks(const ConcatPrim& p, const std::unordered_map<int, dnnl::memory>& args, char* out,
                          int threads) {
    size_t row = 0;
    for (size_t b : p.block_bytes) row += b;
    std::vector<const char*> src;
    for (size_t i = 0; i < p.block_bytes.size(); ++i)
      src.push_back(static_cast<const char*>(args.at(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)).get_data_handle()));
#pragma omp parallel for num_threads(threads) if (p.outer > 1 && row * static_cast<size_t>(p.outer) > (1u << 20))
    for (int64_t o = 0; o < p.outer; ++o) {
      char* dst = out + static_cast<size_t>(o) * row;
      for (size_t i = 0; i < src.size(); ++i) {
        std::memcpy(dst, src[i] + static_cast<size_t>(o) * p.block_bytes[i], p.block_bytes[i]);
        dst += p.block_bytes[i];
      }
    }
  }
  int64_t axis_ = 1;
  std::vector<std::string> layouts_;  // per input; "" = plain
  std::string out_layout_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Concat", 4, 1000, Backend::kDnnl, DnnlConcat::make);

}  // namespace fogline::engine::ops::dnnl_ops
