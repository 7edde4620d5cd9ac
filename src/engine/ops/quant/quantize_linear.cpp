// QuantizeLinear: y = saturate(round_half_to_even(x / y_scale) + y_zero_point).
// Opset 10: per-tensor only. Opset 13+: a 1-D scale quantises per slice along `axis`.
// The output type is the zero point's (uint8 when it is absent), or opset 21's output_dtype.
// Also registered for com.microsoft, whose QuantizeLinear is the same op.
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {
namespace {

class QuantizeLinearKernel : public Kernel {
 public:
  QuantizeLinearKernel(int64_t axis, DataType output_dtype) : axis_(axis), output_dtype_(output_dtype) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("QuantizeLinear input 0 is missing");
    const Tensor& x = *ctx.input(0);
    const Tensor* zp_t = ctx.input(2);
    DataType out_type = zp_t ? zp_t->dtype() : (output_dtype_ != DataType::kUndefined ? output_dtype_ : DataType::kUInt8);
    if (zp_t && output_dtype_ != DataType::kUndefined && output_dtype_ != zp_t->dtype()) {
      return invalid_argument(std::string("QuantizeLinear output_dtype ") + dtype_name(output_dtype_) +
                              " does not match y_zero_point's type " + dtype_name(zp_t->dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> scales, read_scales(ctx.input(1), "QuantizeLinear y_scale"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> zps, read_zero_points(zp_t, DataType::kUndefined, "QuantizeLinear y_zero_point"));
    FOGLINE_TRY(check_positive_scales(scales, "QuantizeLinear y_scale"));

    // Split x as [outer, channels, inner] around the quantisation axis.
    int64_t outer = 1, channels = 1, inner = x.numel();
    const Tensor& scale_t = *ctx.input(1);
    if (scales.size() > 1 || (scale_t.rank() == 1 && zp_t && zp_t->numel() > 1)) {
      if (scale_t.rank() != 1) {
        return invalid_argument("QuantizeLinear y_scale must be a scalar or 1-D, got shape " +
                                shape_to_string(scale_t.shape()));
      }
      FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, x.rank(), ctx));
      if (x.rank() == 0) return invalid_argument("QuantizeLinear per-axis scale needs a tensor of rank >= 1");
      channels = x.dim(axis);
      outer = 1;
      for (int d = 0; d < axis; ++d) outer *= x.dim(d);
      inner = 1;
      for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
      if (static_cast<int64_t>(scales.size()) != channels) {
        return invalid_argument("QuantizeLinear y_scale has " + std::to_string(scales.size()) +
                                " values but x has " + std::to_string(channels) + " along axis " +
                                std::to_string(axis));
      }
    } else if (zps.size() != 1) {
      return invalid_argument("QuantizeLinear y_zero_point has " + std::to_string(zps.size()) +
                              " values for a per-tensor y_scale");
    }
    FOGLINE_ASSIGN_OR_RETURN(zps, expand_param(std::move(zps), channels, "QuantizeLinear y_zero_point"));

    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out_type, x.shape()));
    return dispatch_types<float, Float16, BFloat16, double, int32_t>(x.dtype(), "QuantizeLinear", [&]<typename TI>() -> Status {
      return dispatch_types<uint8_t, int8_t, uint16_t, int16_t>(out_type, "QuantizeLinear", [&]<typename TO>() -> Status {
        const TI* in = x.data<TI>();
        TO* out = y->data<TO>();
        const int64_t rows = outer * channels;
#pragma omp parallel for if (x.numel() > 65536) num_threads(ctx.threads())
        for (int64_t r = 0; r < rows; ++r) {
          const size_t c = static_cast<size_t>(r % channels);
          const Requantizer<TO> rq(zps[c]);
          const float s = scales[c];
          const TI* src = in + r * inner;
          TO* dst = out + r * inner;
          // Division, not multiplication by 1/s: that is what the spec (and its test data) use.
          if constexpr (std::is_same_v<TI, float> && sizeof(TO) == 1) {
            rq.quantize_row(src, s, dst, inner);
          } else {
            for (int64_t i = 0; i < inner; ++i) dst[i] = rq(static_cast<float>(src[i]) / s);
          }
        }
        return Status::ok();
      });
    });
  }

 private:
  int64_t axis_;
  DataType output_dtype_;
};

Result<std::unique_ptr<Kernel>> make_quantize_linear(const KernelBuildInfo& info) {
  if (info.attrs().get_int("block_size", 0) != 0) {
    return unsupported("QuantizeLinear with block_size (blocked quantisation) is not implemented");
  }
  DataType out = static_cast<DataType>(info.attrs().get_int("output_dtype", 0));
  if (out != DataType::kUndefined && out != DataType::kUInt8 && out != DataType::kInt8 &&
      out != DataType::kUInt16 && out != DataType::kInt16) {
    return unsupported("QuantizeLinear output_dtype " + std::to_string(static_cast<int>(out)) + " is not supported");
  }
  // Opset 10 has no axis: its scale is always per-tensor (checked at run time).
  int64_t axis = info.opset() >= 13 || info.node().domain == "com.microsoft" ? info.attrs().get_int("axis", 1) : 1;
  return std::unique_ptr<Kernel>(new QuantizeLinearKernel(axis, out));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "QuantizeLinear", 10, 1000, Backend::kReference, make_quantize_linear);
FOGLINE_REGISTER_KERNEL("com.microsoft", "QuantizeLinear", 1, 1000, Backend::kReference, make_quantize_linear);

}  // namespace fogline::engine::ops::quant
