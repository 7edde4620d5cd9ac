// Normalisations (fp32) on oneDNN, plain layouts:
//   BatchNormalization (inference: global statistics, scale and shift),
//   LRN (across channels, odd sizes: the window is then symmetric as ONNX defines it),
//   LayerNormalization (opset 17; the dims from `axis` on are flattened into one; Mean and
//   InvStdDev come from oneDNN's training-mode statistics).
// BatchNormalization's training mode is left to the reference kernel.
#include <cmath>

#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

bool wants_extra_outputs(const KernelBuildInfo& info) {
  for (int i = 1; i < info.num_outputs(); ++i) {
    if (info.node().outputs[static_cast<size_t>(i)] >= 0) return true;
  }
  return false;
}

bool float_or_unknown(DataType t) { return t == DataType::kFloat || t == DataType::kUndefined; }

// ---- BatchNormalization ----

struct BnPrim {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward prim;
  dnnl::memory::desc md, vec_md;
};

class DnnlBatchNorm : public DnnlKernel<BnPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (wants_extra_outputs(info) || info.attrs().get_int("training_mode", 0) != 0) {
      return unsupported("oneDNN BatchNormalization is inference only");
    }
    if (info.opset() < 9 && info.attrs().get_int("spatial", 1) == 0) return unsupported("spatial=0");
    for (int i = 0; i < 5; ++i) {
      if (!float_or_unknown(info.input_dtype(i))) return unsupported("oneDNN BatchNormalization handles float32");
    }
    auto k = std::unique_ptr<DnnlBatchNorm>(new DnnlBatchNorm());
    k->epsilon_ = info.attrs().get_float("epsilon", 1e-5f);
    std::vector<Shape> shapes;
    if (auto xs = info.input_static_shape(0)) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    for (int i = 0; i < 5; ++i) if (!is_float(ctx.input(i))) return false;
    const int64_t c = ctx.input(0)->rank() >= 2 ? ctx.input(0)->dim(1) : -1;
    for (int i = 1; i < 5; ++i) {
      if (ctx.input(i)->rank() != 1 || ctx.input(i)->dim(0) != c) return false;  // reference reports it
    }
    return true;
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const BnPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    if (x.size() < 2 || x.size() > 5) return unsupported("oneDNN batch norm handles rank 2-5");
    for (int64_t d : x) if (d == 0) return unsupported("empty tensors");
    auto p = std::make_shared<BnPrim>();
    p->md = plain_md(x);
    p->vec_md = plain_md({x[1]});
    auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                 dnnl::normalization_flags::use_shift;
    auto d = dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_inference, p->md, epsilon_, flags);
    p->pd = dnnl::batch_normalization_forward::primitive_desc(d, base_attr(), cpu_engine());
    p->prim = dnnl::batch_normalization_forward(p->pd);
    return std::shared_ptr<const BnPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const BnPrim& p) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, x.shape()));
    const auto& eng = cpu_engine();
    auto vec = [&](int i) { return dnnl::memory(p.vec_md, eng, const_cast<void*>(ctx.input(i)->raw())); };
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(p.md, eng, const_cast<void*>(x.raw()))},
                                               {DNNL_ARG_SCALE, vec(1)},
                                               {DNNL_ARG_SHIFT, vec(2)},
                                               {DNNL_ARG_MEAN, vec(3)},
                                               {DNNL_ARG_VARIANCE, vec(4)},
                                               {DNNL_ARG_DST, dnnl::memory(p.md, eng, y->raw())}};
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlBatchNorm() = default;
  float epsilon_ = 1e-5f;
};

// ---- LRN ----

struct LrnPrim {
  dnnl::lrn_forward::primitive_desc pd;
  dnnl::lrn_forward prim;
  dnnl::memory::desc md;
};

class DnnlLrn : public DnnlKernel<LrnPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (!float_or_unknown(info.input_dtype(0))) return unsupported("oneDNN LRN handles float32");
    auto k = std::unique_ptr<DnnlLrn>(new DnnlLrn());
    const Attributes& a = info.attrs();
    k->size_ = a.get_int("size", 0);
    if (k->size_ < 1 || k->size_ % 2 == 0) return unsupported("oneDNN LRN handles odd sizes");
    k->alpha_ = a.get_float("alpha", 1e-4f);
    k->beta_ = a.get_float("beta", 0.75f);
    k->bias_ = a.get_float("bias", 1.0f);
    std::vector<Shape> shapes;
    if (auto xs = info.input_static_shape(0)) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override { return is_float(ctx.input(0)); }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const LrnPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    if (x.size() < 3 || x.size() > 5) return unsupported("oneDNN LRN handles rank 3-5");
    for (int64_t d : x) if (d == 0) return unsupported("empty tensors");
    auto p = std::make_shared<LrnPrim>();
    p->md = plain_md(x);
    // oneDNN divides alpha by the window size, like ONNX.
    auto d = dnnl::lrn_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::lrn_across_channels, p->md,
                                     size_, alpha_, beta_, bias_);
    p->pd = dnnl::lrn_forward::primitive_desc(d, base_attr(), cpu_engine());
    p->prim = dnnl::lrn_forward(p->pd);
    return std::shared_ptr<const LrnPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const LrnPrim& p) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, x.shape()));
    const auto& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(p.md, eng, const_cast<void*>(x.raw()))},
                                               {DNNL_ARG_DST, dnnl::memory(p.md, eng, y->raw())}};
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    return Status::ok();
  }

 private:
  DnnlLrn() = default;
  int64_t size_ = 0;
  float alpha_ = 0, beta_ = 0, bias_ = 0;
};

// ---- LayerNormalization ----

struct LnPrim {
  dnnl::layer_normalization_forward::primitive_desc pd;
  dnnl::layer_normalization_forward prim;
  dnnl::memory::desc md, vec_md;
};

class DnnlLayerNorm : public DnnlKernel<LnPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    for (int i = 0; i < 3; ++i) {
      if (!float_or_unknown(info.input_dtype(i))) return unsupported("oneDNN LayerNormalization handles float32");
    }
    auto k = std::unique_ptr<DnnlLayerNorm>(new DnnlLayerNorm());
    k->axis_ = info.attrs().get_int("axis", -1);
    k->epsilon_ = info.attrs().get_float("epsilon", 1e-5f);
    k->has_bias_ = info.has_input(2);
    k->stats_ = wants_extra_outputs(info);
    std::vector<Shape> shapes;
    if (auto xs = info.input_static_shape(0)) shapes = {*xs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    if (!is_float(ctx.input(0)) || !is_float(ctx.input(1)) || (has_bias_ && !is_float(ctx.input(2)))) return false;
    // Scale and B must cover the normalised dims exactly (no broadcasting on this path).
    const Tensor& x = *ctx.input(0);
    const int64_t axis = axis_ < 0 ? axis_ + x.rank() : axis_;
    if (axis < 0 || axis >= x.rank()) return false;
    Shape norm(x.shape().begin() + axis, x.shape().end());
    return ctx.input(1)->shape() == norm && (!has_bias_ || ctx.input(2)->shape() == norm);
  }
  std::vector<Shape> key_shapes(const KernelContext& ctx) const override { return {ctx.input(0)->shape()}; }

  Result<std::shared_ptr<const LnPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis >= rank) {
      return invalid_argument("LayerNormalization axis " + std::to_string(axis_) + " is out of range for rank " +
                              std::to_string(rank));
    }
    int64_t rows = 1, cols = 1;
    for (int64_t i = 0; i < rank; ++i) (i < axis ? rows : cols) *= x[static_cast<size_t>(i)];
    if (rows == 0 || cols == 0) return unsupported("empty tensors");
    auto p = std::make_shared<LnPrim>();
    p->md = plain_md({rows, cols});
    p->vec_md = plain_md({cols});
    auto flags = dnnl::normalization_flags::use_scale;
    if (has_bias_) flags = flags | dnnl::normalization_flags::use_shift;
    // Training mode is what makes oneDNN output the statistics.
    auto d = dnnl::layer_normalization_forward::desc(
        stats_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, p->md, epsilon_, flags);
    p->pd = dnnl::layer_normalization_forward::primitive_desc(d, base_attr(), cpu_engine());
    p->prim = dnnl::layer_normalization_forward(p->pd);
    return std::shared_ptr<const LnPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const LnPrim& p) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, x.shape()));
    const auto& eng = cpu_engine();
    auto vec = [&](int i) { return dnnl::memory(p.vec_md, eng, const_cast<void*>(ctx.input(i)->raw())); };
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(p.md, eng, const_cast<void*>(x.raw()))},
                                               {DNNL_ARG_SCALE, vec(1)},
                                               {DNNL_ARG_DST, dnnl::memory(p.md, eng, y->raw())}};
    if (has_bias_) args[DNNL_ARG_SHIFT] = vec(2);
    if (!stats_) {
      dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
      return Status::ok();
    }
    // Mean and InvStdDev have the input's shape with the normalised dims set to 1.
    const int64_t axis = axis_ < 0 ? axis_ + x.rank() : axis_;
    Shape stat_shape = x.shape();
    for (size_t i = static_cast<size_t>(axis); i < stat_shape.size(); ++i) stat_shape[i] = 1;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * mean, ctx.allocate_output(1, DataType::kFloat, stat_shape));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * inv_std, ctx.allocate_output(2, DataType::kFloat, stat_shape));
    auto stat_md = p.pd.mean_desc();
    args[DNNL_ARG_MEAN] = dnnl::memory(stat_md, eng, mean->raw());
    args[DNNL_ARG_VARIANCE] = dnnl::memory(stat_md, eng, inv_std->raw());
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    float* v = inv_std->data<float>();
    for (int64_t i = 0; i < inv_std->numel(); ++i) v[i] = 1.0f / std::sqrt(v[i] + epsilon_);
    return Status::ok();
  }

 private:
  DnnlLayerNorm() = default;
  int64_t axis_ = -1;
  float epsilon_ = 1e-5f;
  bool has_bias_ = false, stats_ = false;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "BatchNormalization", 7, 1000, Backend::kDnnl, DnnlBatchNorm::make);
FOGLINE_REGISTER_KERNEL("", "LRN", 1, 1000, Backend::kDnnl, DnnlLrn::make);
FOGLINE_REGISTER_KERNEL("", "LayerNormalization", 17, 1000, Backend::kDnnl, DnnlLayerNorm::make);

}  // namespace fogline::engine::ops::dnnl_ops
