// Dropout. At inference (always before opset 12: an old is_test=0 is ignored, as deployed
// models expect) it is the identity with an all-true mask. Opset 12+ takes `ratio` and `training_mode` as
// inputs; in training mode elements are zeroed with probability `ratio` and the rest scaled
// by 1/(1-ratio), using a generator seeded per run (from `seed` when given) so runs stay
// thread-safe. With a seed, the draws are numpy's (np.random.seed(seed); uniform(0, 1)):
// MT19937 seeded the same way, two 32-bit words per 53-bit double, so that results match
// the ONNX reference implementation.
#include <chrono>
#include <cstring>
#include <random>

#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

class DropoutKernel : public Kernel {
 public:
  DropoutKernel(int opset, float attr_ratio, std::optional<int64_t> seed)
      : opset_(opset), attr_ratio_(attr_ratio), seed_(seed) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (!dtype_is_float(x.dtype())) {
      return invalid_argument(std::string("Dropout input must be a float tensor, got ") + dtype_name(x.dtype()));
    }
    float ratio = attr_ratio_;
    bool training = false;
    if (opset_ >= 12) {
      if (const Tensor* r = ctx.input(1)) {
        if (r->numel() != 1 || !dtype_is_float(r->dtype())) {
          return invalid_argument("Dropout ratio must be a float scalar, got " + std::string(dtype_name(r->dtype())) +
                                  shape_to_string(r->shape()));
        }
        ratio = static_cast<float>(r->value_as_double(0));
      }
      if (const Tensor* t = ctx.input(2)) {
        if (t->numel() != 1 || t->dtype() != DataType::kBool) {
          return invalid_argument("Dropout training_mode must be a bool scalar, got " +
                                  std::string(dtype_name(t->dtype())) + shape_to_string(t->shape()));
        }
        training = t->data<bool>()[0];
      }
    }
    if (!(ratio >= 0.0f && ratio < 1.0f) && training) {
      return invalid_argument("Dropout ratio must be in [0, 1), got " + std::to_string(ratio));
    }
    if (ratio == 0.0f) training = false;  // nothing is dropped: identity, all-true mask
    // Before opset 10 the mask has the input's type; from 10 on it is bool.
    const DataType mask_type = opset_ < 10 ? x.dtype() : DataType::kBool;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    Tensor* mask = nullptr;
    if (ctx.wants_output(1)) {
      FOGLINE_ASSIGN_OR_RETURN(mask, ctx.allocate_output(1, mask_type, x.shape()));
    }
    if (!training) {
      if (x.nbytes()) std::memcpy(y->raw(), x.raw(), x.nbytes());
      if (mask) return fill_ones(*mask);
      return Status::ok();
    }
    // Seeded from the attribute, or from the clock (std::random_device may throw).
    std::mt19937 gen(seed_ ? static_cast<uint32_t>(*seed_)
                           : static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    auto uniform = [&gen]() {
      const uint32_t a = gen() >> 5, b = gen() >> 6;
      return (a * 67108864.0 + b) / 9007199254740992.0;
    };
    const float scale = 1.0f / (1.0f - ratio);
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "Dropout", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const bool keep = uniform() >= static_cast<double>(ratio);
        out[i] = keep ? T(static_cast<compute_t<T>>(in[i]) * scale) : T(0.0f);
        if (mask) {
          if (mask_type == DataType::kBool) {
            mask->data<bool>()[i] = keep;
          } else {
            mask->data<T>()[i] = T(keep ? 1.0f : 0.0f);
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  static Status fill_ones(Tensor& mask) {
    if (mask.dtype() == DataType::kBool) {
      std::fill_n(mask.data<bool>(), mask.numel(), true);
      return Status::ok();
    }
    return dispatch_types<FOGLINE_FLOAT_TYPES>(mask.dtype(), "Dropout mask", [&]<typename T>() -> Status {
      std::fill_n(mask.data<T>(), mask.numel(), T(1.0f));
      return Status::ok();
    });
  }

  int opset_;
  float attr_ratio_;
  std::optional<int64_t> seed_;
};

Result<std::unique_ptr<Kernel>> make_dropout(const KernelBuildInfo& info) {
  const auto& a = info.attrs();
  // Opset 1-6 had is_test (default 0 = training); we treat models as deployed for inference,
  // as every runtime does, unless a later opset asks for training through its input.
  std::optional<int64_t> seed;
  if (a.has("seed")) seed = a.get_int("seed", 0);
  return std::unique_ptr<Kernel>(new DropoutKernel(info.opset(), a.get_float("ratio", 0.5f), seed));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Dropout", 1, 1000, Backend::kReference, make_dropout);

}  // namespace fogline::engine::ops
