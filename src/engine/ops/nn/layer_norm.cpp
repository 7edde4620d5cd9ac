// LayerNormalization (opset 17): normalises over dims [axis, rank); Scale and B broadcast to
// those dims. Optional outputs Mean and InvStdDev keep X's leading dims and 1s after axis.
#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

class LayerNormKernel : public Kernel {
 public:
  LayerNormKernel(int64_t axis, float eps, DataType stat_type) : axis_(axis), eps_(eps), stat_type_(stat_type) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* scale = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    if (!scale) return invalid_argument("LayerNormalization needs the Scale input");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, x.rank(), ctx));
    Shape norm(x.shape().begin() + axis, x.shape().end());
    const int64_t inner = numel(norm), outer = numel(Shape(x.shape().begin(), x.shape().begin() + axis));
    if (scale->dtype() != x.dtype() || (bias && bias->dtype() != x.dtype())) {
      return invalid_argument("LayerNormalization Scale and B must have X's type " + std::string(dtype_name(x.dtype())));
    }
    auto strides_for = [&](const Tensor* t, std::vector<int64_t>* s) -> Status {
      auto b = broadcast_shapes(t->shape(), norm);
      if (!b.is_ok() || *b != norm) {
        return invalid_argument("LayerNormalization Scale/B " + shape_to_string(t->shape()) +
                                " cannot be broadcast to the normalised shape " + shape_to_string(norm));
      }
      *s = broadcast_strides(t->shape(), norm);
      return Status::ok();
    };
    std::vector<int64_t> ss, bs;
    FOGLINE_TRY(strides_for(scale, &ss));
    if (bias) FOGLINE_TRY(strides_for(bias, &bs));
    // Per-element offsets into Scale and B across the normalised block.
    std::vector<int64_t> soff(static_cast<size_t>(inner)), boff(static_cast<size_t>(inner));
    {
      std::vector<int64_t> idx(norm.size(), 0);
      for (int64_t i = 0; i < inner; ++i) {
        int64_t a = 0, b = 0;
        for (size_t d = 0; d < norm.size(); ++d) {
          a += idx[d] * ss[d];
          if (bias) b += idx[d] * bs[d];
        }
        soff[static_cast<size_t>(i)] = a;
        boff[static_cast<size_t>(i)] = b;
        next_index(idx, norm);
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    Shape stat_shape = x.shape();
    for (size_t d = static_cast<size_t>(axis); d < stat_shape.size(); ++d) stat_shape[d] = 1;
    Tensor* mean_out = nullptr;
    Tensor* inv_out = nullptr;
    if (ctx.wants_output(1)) {
      FOGLINE_ASSIGN_OR_RETURN(mean_out, ctx.allocate_output(1, stat_type_, stat_shape));
    }
    if (ctx.wants_output(2)) {
      FOGLINE_ASSIGN_OR_RETURN(inv_out, ctx.allocate_output(2, stat_type_, stat_shape));
    }
    std::vector<double> means(static_cast<size_t>(outer)), invs(static_cast<size_t>(outer));
    Status st = dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "LayerNormalization", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      std::vector<C> sbuf, bbuf;
      const C* ps = compute_data<T>(*scale, sbuf);
      const C* pb = bias ? compute_data<T>(*bias, bbuf) : nullptr;
      const T* px = x.data<T>();
      T* py = y->data<T>();
#pragma omp parallel for if (x.numel() > 65536) num_threads(ctx.threads())
      for (int64_t i = 0; i < outer; ++i) {
        const T* xp = px + i * inner;
        T* yp = py + i * inner;
        double s = 0, sq = 0;
        for (int64_t j = 0; j < inner; ++j) s += static_cast<double>(xp[j]);
        const double cnt = inner > 0 ? static_cast<double>(inner) : 1.0;
        const double m = s / cnt;
        for (int64_t j = 0; j < inner; ++j) sq += (static_cast<double>(xp[j]) - m) * (static_cast<double>(xp[j]) - m);
        const double inv = 1.0 / std::sqrt(sq / cnt + eps_);
        means[static_cast<size_t>(i)] = m;
        invs[static_cast<size_t>(i)] = inv;
        for (int64_t j = 0; j < inner; ++j) {
          C v = static_cast<C>((static_cast<double>(xp[j]) - m) * inv) * ps[soff[static_cast<size_t>(j)]];
          if (pb) v += pb[boff[static_cast<size_t>(j)]];
          yp[j] = T(v);
        }
      }
      return Status::ok();
    });
    if (!st.is_ok()) return st;
    for (Tensor* t : {mean_out, inv_out}) {
      if (!t) continue;
      const std::vector<double>& src = t == mean_out ? means : invs;
      FOGLINE_TRY(dispatch_types<FOGLINE_FLOAT_TYPES>(t->dtype(), "LayerNormalization", [&]<typename U>() -> Status {
        for (int64_t i = 0; i < outer; ++i) t->data<U>()[i] = U(static_cast<compute_t<U>>(src[static_cast<size_t>(i)]));
        return Status::ok();
      }));
    }
    return Status::ok();
  }

 private:
  int64_t axis_;
  float eps_;
  DataType stat_type_;
};

Result<std::unique_ptr<Kernel>> make_layer_norm(const KernelBuildInfo& info) {
  // Mean / InvStdDev use the stash type (float32 unless the model declares otherwise).
  DataType stat = DataType::kFloat;
  for (int i = 1; i <= 2; ++i) {
    if (info.num_outputs() > i && dtype_is_float(info.output_dtype(i))) stat = info.output_dtype(i);
  }
  return std::unique_ptr<Kernel>(new LayerNormKernel(info.attrs().get_int("axis", -1),
                                                     info.attrs().get_float("epsilon", 1e-5f), stat));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "LayerNormalization", 17, 1000, Backend::kReference, make_layer_norm);

}  // namespace fogline::engine::ops::nn
