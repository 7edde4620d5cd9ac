// Multinomial (opset 7): input [batch, classes] of unnormalised log-probabilities; draws
// sample_size class indices per row, as int32 (default) or int64.
#include <algorithm>
#include <cmath>

#include "engine/ops/misc/random_util.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

class MultinomialKernel : public Kernel {
 public:
  MultinomialKernel(int64_t samples, std::optional<float> seed, DataType dtype)
      : samples_(samples), seed_(seed), dtype_(dtype) {}

  Status run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x) return invalid_argument("Multinomial needs input");
    if (x->rank() != 2 || !dtype_is_float(x->dtype())) {
      return invalid_argument("Multinomial input must be a float [batch, classes] tensor, got " +
                              std::string(dtype_name(x->dtype())) + shape_to_string(x->shape()));
    }
    const int64_t batch = x->dim(0), classes = x->dim(1);
    if (classes < 1) return invalid_argument("Multinomial needs at least one class");
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, dtype_, {batch, samples_}));
    random::Generator gen(seed_);
    std::vector<double> cdf(static_cast<size_t>(classes));
    for (int64_t b = 0; b < batch; ++b) {
      // Softmax-normalised cumulative distribution, shifted by the row max for stability.
      double mx = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) mx = std::max(mx, x->value_as_double(b * classes + c));
      double acc = 0;
      for (int64_t c = 0; c < classes; ++c) {
        acc += std::exp(x->value_as_double(b * classes + c) - mx);
        cdf[static_cast<size_t>(c)] = acc;
      }
      if (!(acc > 0) || !std::isfinite(acc)) {
        return invalid_argument("Multinomial row " + std::to_string(b) + " has no finite probabilities");
      }
      for (int64_t s = 0; s < samples_; ++s) {
        const double u = gen.uniform() * acc;
        int64_t k = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
        k = std::min(k, classes - 1);
        if (dtype_ == DataType::kInt32) {
          y->data<int32_t>()[b * samples_ + s] = static_cast<int32_t>(k);
        } else {
          y->data<int64_t>()[b * samples_ + s] = k;
        }
      }
    }
    return Status::ok();
  }

 private:
  int64_t samples_;
  std::optional<float> seed_;
  DataType dtype_;
};

Result<std::unique_ptr<Kernel>> make_multinomial(const KernelBuildInfo& info) {
  auto dtype = static_cast<DataType>(info.attrs().get_int("dtype", 6));
  if (dtype != DataType::kInt32 && dtype != DataType::kInt64) {
    return invalid_argument("Multinomial dtype must be int32 or int64");
  }
  int64_t samples = info.attrs().get_int("sample_size", 1);
  if (samples < 0) return invalid_argument("Multinomial sample_size must be >= 0");
  return std::unique_ptr<Kernel>(new MultinomialKernel(samples, random::seed_of(info), dtype));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Multinomial", 7, 1000, Backend::kReference, make_multinomial);

}  // namespace fogline::engine::ops
