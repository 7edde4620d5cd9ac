// LRN (opset 1+): y = x / (bias + alpha / size * sum of x^2 over nearby channels)^beta, the
// channel window running from c - floor((size-1)/2) to c + ceil((size-1)/2).
#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

class LrnKernel : public Kernel {
 public:
  LrnKernel(int64_t size, float alpha, float beta, float bias) : size_(size), alpha_(alpha), beta_(beta), bias_(bias) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (x.rank() < 3) return invalid_argument("LRN expects X of rank >= 3, got " + shape_to_string(x.shape()));
    const int64_t N = x.dim(0), Cn = x.dim(1), S = N * Cn ? x.numel() / (N * Cn) : 0;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    const int64_t lo = (size_ - 1) / 2, hi = size_ - 1 - lo;
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "LRN", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
      const C a = static_cast<C>(alpha_) / static_cast<C>(size_);
#pragma omp parallel for collapse(2) if (x.numel() > 65536) num_threads(ctx.threads())
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t c = 0; c < Cn; ++c) {
          const int64_t c0 = std::max<int64_t>(0, c - lo), c1 = std::min<int64_t>(Cn - 1, c + hi);
          for (int64_t i = 0; i < S; ++i) {
            C sq = 0;
            for (int64_t k = c0; k <= c1; ++k) {
              const C v = static_cast<C>(px[(n * Cn + k) * S + i]);
              sq += v * v;
            }
            const int64_t at = (n * Cn + c) * S + i;
            py[at] = T(static_cast<C>(px[at]) / std::pow(static_cast<C>(bias_) + a * sq, static_cast<C>(beta_)));
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  int64_t size_;
  float alpha_, beta_, bias_;
};

Result<std::unique_ptr<Kernel>> make_lrn(const KernelBuildInfo& info) {
  const Attributes& a = info.attrs();
  const int64_t size = a.get_int("size", 0);
  if (size <= 0) return invalid_argument("LRN needs a positive 'size' attribute, got " + std::to_string(size));
  return std::unique_ptr<Kernel>(new LrnKernel(size, a.get_float("alpha", 1e-4f), a.get_float("beta", 0.75f),
                                               a.get_float("bias", 1.0f)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "LRN", 1, 1000, Backend::kReference, make_lrn);

}  // namespace fogline::engine::ops::nn
