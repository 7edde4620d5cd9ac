// DequantizeLinear: y = (x - x_zero_point) * x_scale, per tensor or (opset 13+) per slice along
// `axis`. The output has the scale's float type (float32 before opset 19). int32 inputs
// must have a zero point of 0. Also registered for com.microsoft's identical op.
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {
namespace {

class DequantizeLinearKernel : public Kernel {
 public:
  explicit DequantizeLinearKernel(int64_t axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("DequantizeLinear input 0 is missing");
    const Tensor& x = *ctx.input(0);
    const Tensor* scale_t = ctx.input(1);
    const Tensor* zp_t = ctx.input(2);
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> scales, read_scales(scale_t, "DequantizeLinear x_scale"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> zps, read_zero_points(zp_t, x.dtype(), "DequantizeLinear x_zero_point"));
    if (x.dtype() == DataType::kInt32) {
      for (int32_t z : zps) {
        if (z != 0) return invalid_argument("DequantizeLinear of int32 needs a zero point of 0, got " + std::to_string(z));
      }
    }

    int64_t outer = 1, channels = 1, inner = x.numel();
    if (scales.size() > 1 || zps.size() > 1) {
      if (scale_t->rank() != 1) {
        return invalid_argument("DequantizeLinear x_scale must be a scalar or 1-D, got shape " +
                                shape_to_string(scale_t->shape()));
      }
      if (x.rank() == 0) return invalid_argument("DequantizeLinear per-axis scale needs a tensor of rank >= 1");
      FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, x.rank(), ctx));
      channels = x.dim(axis);
      for (int d = 0; d < axis; ++d) outer *= x.dim(d);
      inner = 1;
      for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    }
    FOGLINE_ASSIGN_OR_RETURN(scales, expand_param(std::move(scales), channels, "DequantizeLinear x_scale"));
    FOGLINE_ASSIGN_OR_RETURN(zps, expand_param(std::move(zps), channels, "DequantizeLinear x_zero_point"));

    DataType out_type = scale_t->dtype() == DataType::kDouble ? DataType::kFloat : scale_t->dtype();
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out_type, x.shape()));
    return dispatch_types<uint8_t, int8_t, uint16_t, int16_t, int32_t>(x.dtype(), "DequantizeLinear", [&]<typename TI>() -> Status {
      return dispatch_types<float, Float16, BFloat16>(out_type, "DequantizeLinear", [&]<typename TO>() -> Status {
        const TI* in = x.data<TI>();
        TO* out = y->data<TO>();
        const int64_t rows = outer * channels;
#pragma omp parallel for if (x.numel() > 65536) num_threads(ctx.threads())
        for (int64_t r = 0; r < rows; ++r) {
          const size_t c = static_cast<size_t>(r % channels);
          const float s = scales[c];
          const int32_t z = zps[c];
          const TI* src = in + r * inner;
          TO* dst = out + r * inner;
          // int32 inputs may exceed float's exact range; the subtraction happens in int64.
          for (int64_t i = 0; i < inner; ++i) {
            dst[i] = TO(static_cast<float>(static_cast<int64_t>(src[i]) - z) * s);
          }
        }
        return Status::ok();
      });
    });
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<Kernel>> make_dequantize_linear(const KernelBuildInfo& info) {
  if (info.attrs().get_int("block_size", 0) != 0) {
    return unsupported("DequantizeLinear with block_size (blocked quantisation) is not implemented");
  }
  int64_t axis = info.opset() >= 13 || info.node().domain == "com.microsoft" ? info.attrs().get_int("axis", 1) : 1;
  return std::unique_ptr<Kernel>(new DequantizeLinearKernel(axis));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "DequantizeLinear", 10, 1000, Backend::kReference, make_dequantize_linear);
FOGLINE_REGISTER_KERNEL("com.microsoft", "DequantizeLinear", 1, 1000, Backend::kReference, make_dequantize_linear);

}  // namespace fogline::engine::ops::quant
