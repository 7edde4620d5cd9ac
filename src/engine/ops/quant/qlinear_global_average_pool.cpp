// com.microsoft QLinearGlobalAveragePool (ONNX Runtime contrib op): the mean over all spatial
// positions of each channel, requantised:
//   y = saturate(round((sum(x) - count * x_zp) * x_scale / (count * y_scale)) + y_zp)
// Inputs X, x_scale, x_zero_point, y_scale, y_zero_point. channels_last=0: X is
// [N, C, D1..Dk] and Y [N, C, 1..1]; channels_last=1: X is [N, D1..Dk, C] and Y [N, 1..1, C].
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {
namespace {

class QLinearGlobalAveragePoolKernel : public Kernel {
 public:
  explicit QLinearGlobalAveragePoolKernel(bool channels_last) : channels_last_(channels_last) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("QLinearGlobalAveragePool input 0 is missing");
    const Tensor& x = *ctx.input(0);
    if (!is_q8(x.dtype())) {
      return invalid_argument(std::string("QLinearGlobalAveragePool input must be int8 or uint8, got ") + dtype_name(x.dtype()));
    }
    if (x.rank() < 3) {
      return invalid_argument("QLinearGlobalAveragePool input must have rank >= 3, got " + shape_to_string(x.shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(float x_scale, read_scalar_scale(ctx.input(1), "QLinearGlobalAveragePool x_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t x_zp, read_scalar_zero_point(ctx.input(2), x.dtype(), "QLinearGlobalAveragePool x_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float y_scale, read_scalar_scale(ctx.input(3), "QLinearGlobalAveragePool y_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t y_zp, read_scalar_zero_point(ctx.input(4), x.dtype(), "QLinearGlobalAveragePool y_zero_point"));
    FOGLINE_TRY(check_positive_scales({x_scale, y_scale}, "QLinearGlobalAveragePool scales"));

    const int64_t batch = x.dim(0);
    const int64_t channels = channels_last_ ? x.dim(x.rank() - 1) : x.dim(1);
    Shape out_shape(static_cast<size_t>(x.rank()), 1);
    out_shape[0] = batch;
    out_shape[channels_last_ ? out_shape.size() - 1 : 1] = channels;
    const int64_t count = (batch != 0 && channels != 0) ? x.numel() / (batch * channels) : 0;
    if (count == 0) {
      return invalid_argument("QLinearGlobalAveragePool input has no spatial positions: " + shape_to_string(x.shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    const float mult = x_scale / (static_cast<float>(count) * y_scale);
    const int64_t offset = count * x_zp;
    return dispatch_types<uint8_t, int8_t>(x.dtype(), "QLinearGlobalAveragePool", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const Requantizer<T> rq(y_zp);
      if (!channels_last_) {
#pragma omp parallel for if (x.numel() > 65536) num_threads(ctx.threads())
        for (int64_t r = 0; r < batch * channels; ++r) {
          const T* src = in + r * count;
          int64_t sum = 0;
          for (int64_t i = 0; i < count; ++i) sum += src[i];
          out[r] = rq(static_cast<float>(sum - offset) * mult);
        }
      } else {
#pragma omp parallel for if (x.numel() > 65536) num_threads(ctx.threads())
        for (int64_t n = 0; n < batch; ++n) {
          std::vector<int64_t> sums(static_cast<size_t>(channels), 0);
          const T* src = in + n * count * channels;
          for (int64_t p = 0; p < count; ++p) {
            for (int64_t c = 0; c < channels; ++c) sums[static_cast<size_t>(c)] += src[p * channels + c];
          }
          for (int64_t c = 0; c < channels; ++c) {
            out[n * channels + c] = rq(static_cast<float>(sums[static_cast<size_t>(c)] - offset) * mult);
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  bool channels_last_;
};

Result<std::unique_ptr<Kernel>> make_qlinear_global_average_pool(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new QLinearGlobalAveragePoolKernel(info.attrs().get_int("channels_last", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearGlobalAveragePool", 1, 1000, Backend::kReference,
                        make_qlinear_global_average_pool);

}  // namespace fogline::engine::ops::quant
