// Bernoulli (opset 15): y[i] = 1 with probability x[i], in `dtype` (default: x's type).
#include "engine/ops/misc/random_util.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

class BernoulliKernel : public Kernel {
 public:
  BernoulliKernel(std::optional<float> seed, DataType dtype) : seed_(seed), dtype_(dtype) {}

  Status run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x) return invalid_argument("Bernoulli needs input");
    if (!dtype_is_float(x->dtype())) {
      return invalid_argument(std::string("Bernoulli input must be float, got ") + dtype_name(x->dtype()));
    }
    const DataType out = dtype_ == DataType::kUndefined ? x->dtype() : dtype_;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out, x->shape()));
    random::Generator gen(seed_);
    return dispatch_types<FOGLINE_ALL_TYPES>(out, "Bernoulli output", [&]<typename T>() -> Status {
      T* d = y->data<T>();
      for (int64_t i = 0; i < x->numel(); ++i) {
        const double p = x->value_as_double(i);
        if (!(p >= 0.0 && p <= 1.0)) {
          return invalid_argument("Bernoulli probability " + std::to_string(p) + " is outside [0, 1]");
        }
        const bool hit = gen.uniform() < p;
        if constexpr (std::is_same_v<T, bool>) {
          d[i] = hit;
        } else {
          d[i] = static_cast<T>(static_cast<compute_t<T>>(hit ? 1 : 0));
        }
      }
      return Status::ok();
    });
  }

 private:
  std::optional<float> seed_;
  DataType dtype_;
};

Result<std::unique_ptr<Kernel>> make_bernoulli(const KernelBuildInfo& info) {
  DataType dtype = DataType::kUndefined;
  if (info.attrs().has("dtype")) {
    int64_t dt = info.attrs().get_int("dtype", 1);
    if (!dtype_is_known(static_cast<int32_t>(dt)) || dt == static_cast<int64_t>(DataType::kString)) {
      return invalid_argument("Bernoulli dtype " + std::to_string(dt) + " is not supported");
    }
    dtype = static_cast<DataType>(dt);
  }
  return std::unique_ptr<Kernel>(new BernoulliKernel(random::seed_of(info), dtype));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Bernoulli", 15, 1000, Backend::kReference, make_bernoulli);

}  // namespace fogline::engine::ops
