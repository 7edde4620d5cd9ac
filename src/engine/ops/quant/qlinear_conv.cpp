// QLinearConv: an 8-bit convolution whose int32 accumulators (plus the int32 bias) are
// requantised with the per-output-channel multiplier x_scale * w_scale[m] / y_scale:
//   y = saturate(round((acc + B[m]) * x_scale * w_scale[m] / y_scale) + y_zero_point)
// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B.
// x, w and y may each be int8 or uint8; w_scale / w_zero_point are per-tensor or per-channel.
// Constant weights are packed (zero point subtracted, int16) once at load time.
// Relu / Clip post-ops (the qdq-to-qlinear pass fuses them from QDQ graphs) are clamps in the
// real domain; quantisation is monotone, so they clamp the 8-bit output to the quantised
// bounds: y = clamp(y, q(lo), q(hi)).
#include <algorithm>
#include <limits>

#include "engine/ops/quant/int_conv.h"

namespace fogline::engine::ops::quant {
namespace {

class QLinearConvKernel : public Kernel {
 public:
  QLinearConvKernel(ConvAttrs attrs, std::vector<int16_t> packed, float lo, float hi)
      : attrs_(std::move(attrs)), packed_(std::move(packed)), lo_(lo), hi_(hi) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("QLinearConv input 0 is missing");
    const Tensor& x = *ctx.input(0);
    const Tensor* w = ctx.input(3);
    if (!w) return invalid_argument("QLinearConv weight w is missing");
    if (!is_q8(x.dtype()) || !is_q8(w->dtype())) {
      return invalid_argument(std::string("QLinearConv x and w must be int8 or uint8, got ") + dtype_name(x.dtype()) +
                              " and " + dtype_name(w->dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(ConvGeometry g, conv_geometry(attrs_, x.shape(), w->shape(), "QLinearConv"));
    FOGLINE_TRY(check_conv_workspace(g, "QLinearConv"));
    const int64_t m_count = g.out_channels;

    FOGLINE_ASSIGN_OR_RETURN(float x_scale, read_scalar_scale(ctx.input(1), "QLinearConv x_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t x_zp, read_scalar_zero_point(ctx.input(2), x.dtype(), "QLinearConv x_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> w_scale, read_scales(ctx.input(4), "QLinearConv w_scale"));
    FOGLINE_ASSIGN_OR_RETURN(w_scale, expand_param(std::move(w_scale), m_count, "QLinearConv w_scale"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> w_zp, read_zero_points(ctx.input(5), w->dtype(), "QLinearConv w_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(w_zp, expand_param(std::move(w_zp), m_count, "QLinearConv w_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float y_scale, read_scalar_scale(ctx.input(6), "QLinearConv y_scale"));
    const Tensor* y_zp_t = ctx.input(7);
    const DataType y_type = y_zp_t ? y_zp_t->dtype() : x.dtype();
    if (!is_q8(y_type)) {
      return invalid_argument(std::string("QLinearConv y_zero_point must be int8 or uint8, got ") + dtype_name(y_type));
    }
    FOGLINE_ASSIGN_OR_RETURN(int32_t y_zp, read_scalar_zero_point(y_zp_t, y_type, "QLinearConv y_zero_point"));
    FOGLINE_TRY(check_positive_scales({x_scale, y_scale}, "QLinearConv x_scale/y_scale"));
    FOGLINE_TRY(check_positive_scales(w_scale, "QLinearConv w_scale"));

    std::vector<int32_t> bias(static_cast<size_t>(m_count), 0);
    if (const Tensor* b = ctx.input(8)) {
      if (b->dtype() != DataType::kInt32 || b->numel() != m_count) {
        return invalid_argument("QLinearConv bias B must be int32 with " + std::to_string(m_count) +
                                " values, got " + dtype_name(b->dtype()) + shape_to_string(b->shape()));
      }
      std::copy(b->data<int32_t>(), b->data<int32_t>() + m_count, bias.begin());
    }
    std::vector<float> mult(static_cast<size_t>(m_count));
    for (size_t m = 0; m < mult.size(); ++m) mult[m] = x_scale * w_scale[m] / y_scale;

    std::vector<int16_t> runtime_packed;
    const int16_t* wp = packed_.data();
    if (packed_.empty()) {
      Status st = dispatch_types<uint8_t, int8_t>(w->dtype(), "QLinearConv", [&]<typename TW>() -> Status {
        runtime_packed = pack_conv_weights<TW>(*w, w_zp);
        return Status::ok();
      });
      FOGLINE_TRY(st);
      wp = runtime_packed.data();
    }

    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, y_type, g.output_shape()));
    return dispatch_types<uint8_t, int8_t>(x.dtype(), "QLinearConv", [&]<typename TX>() -> Status {
      return dispatch_types<uint8_t, int8_t>(y_type, "QLinearConv", [&]<typename TY>() -> Status {
        TY* out = y->data<TY>();
        const Requantizer<TY> rq(y_zp);
        const TY qlo = rq(lo_ / y_scale), qhi = rq(hi_ / y_scale);
        const bool clamp = qlo > std::numeric_limits<TY>::min() || qhi < std::numeric_limits<TY>::max();
        int_conv(x.data<TX>(), x_zp, wp, g, ctx.threads(),
                 [&](int64_t n, int64_t m, int64_t p0, int64_t cnt, const int32_t* acc) {
                   TY* dst = out + (n * m_count + m) * g.out_size + p0;
                   rq.requantize_row(acc, bias[static_cast<size_t>(m)], mult[static_cast<size_t>(m)], dst, cnt);
                   if (clamp) {
                     for (int64_t i = 0; i < cnt; ++i) dst[i] = std::min(std::max(dst[i], qlo), qhi);
                   }
                 });
        return Status::ok();
      });
    });
  }

 private:
  ConvAttrs attrs_;
  std::vector<int16_t> packed_;  // empty when the weights are not constant
  float lo_, hi_;                // the fused Relu / Clip bounds (real values), else +-inf
};

Result<std::unique_ptr<Kernel>> make_qlinear_conv(const KernelBuildInfo& info) {
  ConvAttrs attrs = read_conv_attrs(info.attrs());
  if (info.attrs().get_int("channels_last", 0) != 0) {
    return unsupported("QLinearConv with channels_last=1 is not implemented");
  }
  FOGLINE_ASSIGN_OR_RETURN(auto bounds, clamp_bounds(info.node().post_ops));
  std::vector<int16_t> packed = prepack_conv_weights(info, 3, 5);
  return std::unique_ptr<Kernel>(new QLinearConvKernel(std::move(attrs), std::move(packed), bounds.first, bounds.second));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "QLinearConv", 10, 1000, Backend::kReference, make_qlinear_conv);

}  // namespace fogline::engine::ops::quant
