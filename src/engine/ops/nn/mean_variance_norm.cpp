// MeanVarianceNormalization (opset 9+): y = (x - mean) / (sqrt(var) + 1e-9), the statistics
// taken over `axes` (default N, H, W), as the op's ONNX function body defines it.
#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

class MvnKernel : public Kernel {
 public:
  explicit MvnKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    // Statistics live in a tensor shaped like X with the reduced axes set to 1.
    Shape kept = x.shape();
    for (int64_t a : axes_) {
      FOGLINE_ASSIGN_OR_RETURN(int ax, normalize_axis(a, x.rank(), ctx));
      kept[static_cast<size_t>(ax)] = 1;
    }
    const int64_t groups = numel(kept);
    const double per = groups ? static_cast<double>(x.numel()) / static_cast<double>(groups) : 0;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "MeanVarianceNormalization", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
      std::vector<double> sum(static_cast<size_t>(groups), 0), sq(static_cast<size_t>(groups), 0);
      for_each_broadcast<1>(x.shape(), {kept}, [&](int64_t i, int64_t g) {
        const double v = static_cast<double>(px[i]);
        sum[static_cast<size_t>(g)] += v;
        sq[static_cast<size_t>(g)] += v * v;
      });
      std::vector<double> mean(static_cast<size_t>(groups)), den(static_cast<size_t>(groups));
      for (int64_t g = 0; g < groups; ++g) {
        const double m = sum[static_cast<size_t>(g)] / per;
        const double var = std::max(0.0, sq[static_cast<size_t>(g)] / per - m * m);
        mean[static_cast<size_t>(g)] = m;
        den[static_cast<size_t>(g)] = std::sqrt(var) + 1e-9;
      }
      for_each_broadcast<1>(x.shape(), {kept}, [&](int64_t i, int64_t g) {
        py[i] = T(static_cast<C>((static_cast<double>(px[i]) - mean[static_cast<size_t>(g)]) / den[static_cast<size_t>(g)]));
      });
      return Status::ok();
    });
  }

 private:
  std::vector<int64_t> axes_;
};

Result<std::unique_ptr<Kernel>> make_mvn(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new MvnKernel(info.attrs().get_ints("axes", {0, 2, 3})));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MeanVarianceNormalization", 9, 1000, Backend::kReference, make_mvn);

}  // namespace fogline::engine::ops::nn
