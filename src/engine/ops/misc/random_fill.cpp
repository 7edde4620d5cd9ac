// RandomNormal / RandomUniform (shape from the `shape` attribute) and RandomNormalLike /
// RandomUniformLike (shape, and by default type, from the input).
#include "engine/ops/misc/random_util.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

enum class Distribution { kNormal, kUniform };

class RandomFillKernel : public Kernel {
 public:
  RandomFillKernel(Distribution dist, double a, double b, std::optional<float> seed, DataType dtype,
                   std::optional<Shape> shape)
      : dist_(dist), a_(a), b_(b), seed_(seed), dtype_(dtype), shape_(std::move(shape)) {}

  Status run(KernelContext& ctx) const override {
    Shape shape;
    DataType dtype = dtype_;
    if (shape_) {
      shape = *shape_;
    } else {
      const Tensor* x = ctx.input(0);
      if (!x) return invalid_argument("Random*Like needs its input");
      shape = x->shape();
      if (dtype == DataType::kUndefined) dtype = x->dtype();
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, dtype, shape));
    random::Generator gen(seed_);
    return dispatch_types<FOGLINE_FLOAT_TYPES>(dtype, "Random op output", [&]<typename T>() -> Status {
      T* d = y->data<T>();
      for (int64_t i = 0; i < y->numel(); ++i) {
        // Normal: a = mean, b = scale. Uniform: a = low, b = high.
        double v = dist_ == Distribution::kNormal ? a_ + b_ * gen.normal() : a_ + (b_ - a_) * gen.uniform();
        d[i] = static_cast<T>(static_cast<compute_t<T>>(v));
      }
      return Status::ok();
    });
  }

 private:
  Distribution dist_;
  double a_, b_;
  std::optional<float> seed_;
  DataType dtype_;  // kUndefined: the input's type (the *Like ops)
  std::optional<Shape> shape_;
};

template <Distribution D, bool kLike>
Result<std::unique_ptr<Kernel>> make_random(const KernelBuildInfo& info) {
  const Attributes& at = info.attrs();
  double a = D == Distribution::kNormal ? at.get_float("mean", 0.0f) : at.get_float("low", 0.0f);
  double b = D == Distribution::kNormal ? at.get_float("scale", 1.0f) : at.get_float("high", 1.0f);
  DataType dtype = DataType::kUndefined;
  if (at.has("dtype") || !kLike) dtype = static_cast<DataType>(at.get_int("dtype", 1));
  if (dtype != DataType::kUndefined && !dtype_is_float(dtype)) {
    return invalid_argument("random op dtype must be a float type, got " + std::to_string(static_cast<int>(dtype)));
  }
  std::optional<Shape> shape;
  if (!kLike) {
    if (!at.has("shape")) return invalid_argument("RandomNormal/RandomUniform need a 'shape' attribute");
    shape = at.get_ints("shape");
    if (!checked_numel(*shape).is_ok()) {
      return invalid_argument("random op shape " + shape_to_string(*shape) + " is invalid");
    }
  }
  return std::unique_ptr<Kernel>(new RandomFillKernel(D, a, b, random::seed_of(info), dtype, std::move(shape)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "RandomNormal", 1, 1000, Backend::kReference, (make_random<Distribution::kNormal, false>));
FOGLINE_REGISTER_KERNEL("", "RandomUniform", 1, 1000, Backend::kReference, (make_random<Distribution::kUniform, false>));
FOGLINE_REGISTER_KERNEL("", "RandomNormalLike", 1, 1000, Backend::kReference, (make_random<Distribution::kNormal, true>));
FOGLINE_REGISTER_KERNEL("", "RandomUniformLike", 1, 1000, Backend::kReference, (make_random<Distribution::kUniform, true>));

}  // namespace fogline::engine::ops
