// NegativeLogLikelihoodLoss: loss[n, d] = -input[n, target[n, d], d] * weight[target[n, d]],
// 0 where target == ignore_index; reduced by none / sum / mean (weighted mean).
#include "engine/ops/loss/nll_common.h"

namespace fogline::engine::ops {
namespace {

class NllLossKernel : public Kernel {
 public:
  explicit NllLossKernel(NllConfig cfg) : cfg_(cfg) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* target = ctx.input(1);
    if (!target) return invalid_argument("NegativeLogLikelihoodLoss needs a target input");
    const Tensor* weight = ctx.input(2);
    FOGLINE_TRY(check_nll_shapes(x.shape(), *target, weight, "NegativeLogLikelihoodLoss").status());
    if (weight && weight->dtype() != x.dtype()) {
      return invalid_argument("NegativeLogLikelihoodLoss weight must have the input's type");
    }
    std::vector<double> logp(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i) logp[static_cast<size_t>(i)] = x.value_as_double(i);
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "NegativeLogLikelihoodLoss", [&]<typename T>() -> Status {
      return nll_reduce<T>(ctx, logp.data(), x.shape(), *target, weight, cfg_, "NegativeLogLikelihoodLoss");
    });
  }

 private:
  NllConfig cfg_;
};

Result<std::unique_ptr<Kernel>> make_nll_loss(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(NllConfig cfg, read_nll_config(info, "NegativeLogLikelihoodLoss"));
  return std::unique_ptr<Kernel>(new NllLossKernel(cfg));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "NegativeLogLikelihoodLoss", 12, 1000, Backend::kReference, make_nll_loss);

}  // namespace fogline::engine::ops
