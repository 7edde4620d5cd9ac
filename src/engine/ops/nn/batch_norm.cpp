// BatchNormalization (opset 1+). Inference: y = scale * (x - mean) / sqrt(var + eps) + B per
// channel (or per activation when the params cover C x spatial, opset < 9's spatial=0).
// training_mode (opset 14+): normalise with the batch's statistics and also output the
// updated running mean and variance.
#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

class BatchNormKernel : public Kernel {
 public:
  BatchNormKernel(float eps, float momentum, bool training) : eps_(eps), momentum_(momentum), training_(training) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* p[4] = {ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4)};
    if (x.rank() < 2) return invalid_argument("BatchNormalization expects X of rank >= 2, got " + shape_to_string(x.shape()));
    for (const Tensor* t : p) {
      if (!t) return invalid_argument("BatchNormalization needs scale, B, mean and var inputs");
    }
    const int64_t N = x.dim(0), Cn = x.dim(1);
    const int64_t S = N * Cn ? x.numel() / (N * Cn) : 0;
    const int64_t per = p[0]->numel();
    if (per != Cn && per != Cn * S) {
      return invalid_argument("BatchNormalization scale " + shape_to_string(p[0]->shape()) + " must have " +
                              std::to_string(Cn) + " values (one per channel of X " + shape_to_string(x.shape()) + ")");
    }
    for (const Tensor* t : p) {
      if (t->numel() != per) {
        return invalid_argument("BatchNormalization scale, B, mean and var must have equal sizes, got " +
                                shape_to_string(t->shape()) + " vs " + shape_to_string(p[0]->shape()));
      }
    }
    const bool per_activation = per != Cn;
    if (training_ && per_activation) return unsupported("BatchNormalization training_mode with per-activation params");
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "BatchNormalization", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      std::vector<double> scale(per), bias(per), mean(per), var(per);
      for (int64_t i = 0; i < per; ++i) {
        scale[i] = p[0]->value_as_double(i);
        bias[i] = p[1]->value_as_double(i);
        mean[i] = p[2]->value_as_double(i);
        var[i] = p[3]->value_as_double(i);
      }
      const T* px = x.data<T>();
      std::vector<double> run_mean = mean, run_var = var;
      if (training_) {
        // Batch statistics over N and spatial; population variance.
        const double count = static_cast<double>(N * S);
        for (int64_t c = 0; c < Cn; ++c) {
          double s = 0, sq = 0;
          for (int64_t n = 0; n < N; ++n) {
            const T* xp = px + (n * Cn + c) * S;
            for (int64_t i = 0; i < S; ++i) s += static_cast<double>(xp[i]);
          }
          const double m = count > 0 ? s / count : 0;
          for (int64_t n = 0; n < N; ++n) {
            const T* xp = px + (n * Cn + c) * S;
            for (int64_t i = 0; i < S; ++i) sq += (static_cast<double>(xp[i]) - m) * (static_cast<double>(xp[i]) - m);
          }
          const double v = count > 0 ? sq / count : 0;
          run_mean[c] = mean[c] * momentum_ + m * (1 - momentum_);
          run_var[c] = var[c] * momentum_ + v * (1 - momentum_);
          mean[c] = m;
          var[c] = v;
        }
      }
      std::vector<C> mul(per), add(per);
      for (int64_t i = 0; i < per; ++i) {
        const double m = scale[i] / std::sqrt(var[i] + eps_);
        mul[i] = static_cast<C>(m);
        add[i] = static_cast<C>(bias[i] - mean[i] * m);
      }
      T* py = y->data<T>();
#pragma omp parallel for collapse(2) if (x.numel() > 65536) num_threads(ctx.threads())
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t c = 0; c < Cn; ++c) {
          const T* xp = px + (n * Cn + c) * S;
          T* yp = py + (n * Cn + c) * S;
          for (int64_t i = 0; i < S; ++i) {
            const int64_t k = per_activation ? c * S + i : c;
            yp[i] = T(static_cast<C>(xp[i]) * mul[k] + add[k]);
          }
        }
      }
      if (training_) {
        for (int out = 1; out <= 2; ++out) {
          if (!ctx.wants_output(out)) continue;
          FOGLINE_ASSIGN_OR_RETURN(Tensor * r, ctx.allocate_output(out, p[2]->dtype(), p[2]->shape()));
          const std::vector<double>& src = out == 1 ? run_mean : run_var;
          FOGLINE_TRY(dispatch_types<FOGLINE_FLOAT_TYPES>(r->dtype(), "BatchNormalization", [&]<typename U>() -> Status {
            for (int64_t i = 0; i < per; ++i) r->data<U>()[i] = U(static_cast<compute_t<U>>(src[i]));
            return Status::ok();
          }));
        }
      }
      return Status::ok();
    });
  }

 private:
  float eps_, momentum_;
  bool training_;
};

Result<std::unique_ptr<Kernel>> make_batch_norm(const KernelBuildInfo& info) {
  const Attributes& a = info.attrs();
  const bool training = info.opset() >= 14 && a.get_int("training_mode", 0) != 0;
  return std::unique_ptr<Kernel>(
      new BatchNormKernel(a.get_float("epsilon", 1e-5f), a.get_float("momentum", 0.9f), training));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "BatchNormalization", 1, 1000, Backend::kReference, make_batch_norm);

}  // namespace fogline::engine::ops::nn
