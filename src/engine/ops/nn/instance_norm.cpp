// InstanceNormalization (opset 1+): per (image, channel) mean and variance over the spatial
// dims; y = scale[c] * (x - mean) / sqrt(var + eps) + B[c].
#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

class InstanceNormKernel : public Kernel {
 public:
  explicit InstanceNormKernel(float eps) : eps_(eps) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* scale = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    if (x.rank() < 2 || !scale || !bias) {
      return invalid_argument("InstanceNormalization expects X of rank >= 2 with scale and B, got X " +
                              shape_to_string(x.shape()));
    }
    const int64_t N = x.dim(0), Cn = x.dim(1);
    if (scale->numel() != Cn || bias->numel() != Cn) {
      return invalid_argument("InstanceNormalization scale and B must have " + std::to_string(Cn) + " values, got " +
                              shape_to_string(scale->shape()) + " and " + shape_to_string(bias->shape()));
    }
    const int64_t S = N * Cn ? x.numel() / (N * Cn) : 0;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "InstanceNormalization", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
#pragma omp parallel for if (x.numel() > 65536) num_threads(ctx.threads())
      for (int64_t i = 0; i < N * Cn; ++i) {
        const int64_t c = i % Cn;
        const T* xp = px + i * S;
        T* yp = py + i * S;
        double s = 0, sq = 0;
        for (int64_t j = 0; j < S; ++j) s += static_cast<double>(xp[j]);
        const double m = S ? s / static_cast<double>(S) : 0;
        for (int64_t j = 0; j < S; ++j) sq += (static_cast<double>(xp[j]) - m) * (static_cast<double>(xp[j]) - m);
        const double v = S ? sq / static_cast<double>(S) : 0;
        const double mul = scale->value_as_double(c) / std::sqrt(v + eps_);
        const C a = static_cast<C>(mul), b = static_cast<C>(bias->value_as_double(c) - m * mul);
        for (int64_t j = 0; j < S; ++j) yp[j] = T(static_cast<C>(xp[j]) * a + b);
      }
      return Status::ok();
    });
  }

 private:
  float eps_;
};

Result<std::unique_ptr<Kernel>> make_instance_norm(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new InstanceNormKernel(info.attrs().get_float("epsilon", 1e-5f)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "InstanceNormalization", 1, 1000, Backend::kReference, make_instance_norm);

}  // namespace fogline::engine::ops::nn
