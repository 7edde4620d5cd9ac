// GlobalAveragePool, GlobalMaxPool, GlobalLpPool: one reduction over all spatial dims per
// (image, channel); the three share everything but the fold.
#include <limits>

#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

enum class GlobalKind { kAverage, kMax, kLp };

class GlobalPoolKernel : public Kernel {
 public:
  GlobalPoolKernel(GlobalKind kind, double p, const char* op) : kind_(kind), p_(p), op_(op) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (x.rank() < 3) {
      return invalid_argument(std::string(op_) + " expects X of rank >= 3, got " + shape_to_string(x.shape()));
    }
    Shape yshape(static_cast<size_t>(x.rank()), 1);
    yshape[0] = x.dim(0);
    yshape[1] = x.dim(1);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = planes ? x.numel() / planes : 0;
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), op_, [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
      const C p = static_cast<C>(p_);
#pragma omp parallel for if (x.numel() > 65536) num_threads(ctx.threads())
      for (int64_t i = 0; i < planes; ++i) {
        const T* xp = px + i * size;
        C acc = kind_ == GlobalKind::kMax ? std::numeric_limits<C>::lowest() : C(0);
        for (int64_t j = 0; j < size; ++j) {
          const C v = static_cast<C>(xp[j]);
          if (kind_ == GlobalKind::kMax) acc = v > acc ? v : acc;
          else if (kind_ == GlobalKind::kAverage) acc += v;
          else acc += std::pow(std::abs(v), p);
        }
        if (kind_ == GlobalKind::kAverage) acc = size ? acc / static_cast<C>(size) : C(0);
        if (kind_ == GlobalKind::kLp) acc = std::pow(acc, C(1) / p);
        py[i] = T(acc);
      }
      return Status::ok();
    });
  }

 private:
  GlobalKind kind_;
  double p_;
  const char* op_;
};

Result<std::unique_ptr<Kernel>> make_global_average(const KernelBuildInfo&) {
  return std::unique_ptr<Kernel>(new GlobalPoolKernel(GlobalKind::kAverage, 0, "GlobalAveragePool"));
}
Result<std::unique_ptr<Kernel>> make_global_max(const KernelBuildInfo&) {
  return std::unique_ptr<Kernel>(new GlobalPoolKernel(GlobalKind::kMax, 0, "GlobalMaxPool"));
}
Result<std::unique_ptr<Kernel>> make_global_lp(const KernelBuildInfo& info) {
  const Attribute* a = info.attrs().find("p");
  double p = 2.0;
  if (a) p = a->kind == Attribute::Kind::kFloat ? a->f : static_cast<double>(a->i);
  if (!(p > 0)) return invalid_argument("GlobalLpPool p must be positive, got " + std::to_string(p));
  return std::unique_ptr<Kernel>(new GlobalPoolKernel(GlobalKind::kLp, p, "GlobalLpPool"));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "GlobalAveragePool", 1, 1000, Backend::kReference, make_global_average);
FOGLINE_REGISTER_KERNEL("", "GlobalMaxPool", 1, 1000, Backend::kReference, make_global_max);
FOGLINE_REGISTER_KERNEL("", "GlobalLpPool", 1, 1000, Backend::kReference, make_global_lp);

}  // namespace fogline::engine::ops::nn
