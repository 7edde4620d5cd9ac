// SoftmaxCrossEntropyLoss: NegativeLogLikelihoodLoss applied to LogSoftmax(scores) over the
// class axis (1); the optional second output is that log-probability tensor.
#include <cmath>

#include "engine/ops/loss/nll_common.h"

namespace fogline::engine::ops {
namespace {

class SceLossKernel : public Kernel {
 public:
  explicit SceLossKernel(NllConfig cfg) : cfg_(cfg) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* labels = ctx.input(1);
    if (!labels) return invalid_argument("SoftmaxCrossEntropyLoss needs a labels input");
    const Tensor* weight = ctx.input(2);
    FOGLINE_ASSIGN_OR_RETURN(int64_t c, check_nll_shapes(x.shape(), *labels, weight, "SoftmaxCrossEntropyLoss"));
    if (weight && weight->dtype() != x.dtype()) {
      return invalid_argument("SoftmaxCrossEntropyLoss weights must have the scores' type");
    }
    const int64_t n = x.dim(0);
    const int64_t d = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
    // Log-softmax over the class axis, in double.
    std::vector<double> logp(static_cast<size_t>(x.numel()));
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t k = 0; k < d; ++k) {
        const int64_t base = b * c * d + k;
        double m = -INFINITY;
        for (int64_t j = 0; j < c; ++j) m = std::max(m, x.value_as_double(base + j * d));
        double s = 0;
        for (int64_t j = 0; j < c; ++j) s += std::exp(x.value_as_double(base + j * d) - m);
        const double lse = m + std::log(s);
        for (int64_t j = 0; j < c; ++j) {
          logp[static_cast<size_t>(base + j * d)] = x.value_as_double(base + j * d) - lse;
        }
      }
    }
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "SoftmaxCrossEntropyLoss", [&]<typename T>() -> Status {
      FOGLINE_TRY(nll_reduce<T>(ctx, logp.data(), x.shape(), *labels, weight, cfg_, "SoftmaxCrossEntropyLoss"));
      if (ctx.wants_output(1)) {
        FOGLINE_ASSIGN_OR_RETURN(Tensor * lp, ctx.allocate_output(1, x.dtype(), x.shape()));
        for (int64_t i = 0; i < x.numel(); ++i) {
          lp->data<T>()[i] = T(static_cast<compute_t<T>>(logp[static_cast<size_t>(i)]));
        }
      }
      return Status::ok();
    });
  }

 private:
  NllConfig cfg_;
};

Result<std::unique_ptr<Kernel>> make_sce_loss(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(NllConfig cfg, read_nll_config(info, "SoftmaxCrossEntropyLoss"));
  return std::unique_ptr<Kernel>(new SceLossKernel(cfg));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SoftmaxCrossEntropyLoss", 12, 1000, Backend::kReference, make_sce_loss);

}  // namespace fogline::engine::ops
