// ConvInteger: y[int32] = conv(x - x_zero_point, w - w_zero_point), x and w int8 or uint8;
// x_zero_point is per-tensor, w_zero_point per-tensor or per output channel (both optional).
#include "engine/ops/quant/int_conv.h"

namespace fogline::engine::ops::quant {
namespace {

class ConvIntegerKernel : public Kernel {
 public:
  ConvIntegerKernel(ConvAttrs attrs, std::vector<int16_t> packed) : attrs_(std::move(attrs)), packed_(std::move(packed)) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("ConvInteger input 0 is missing");
    const Tensor& x = *ctx.input(0);
    const Tensor* w = ctx.input(1);
    if (!w) return invalid_argument("ConvInteger weight w is missing");
    if (!is_q8(x.dtype()) || !is_q8(w->dtype())) {
      return invalid_argument(std::string("ConvInteger x and w must be int8 or uint8, got ") + dtype_name(x.dtype()) +
                              " and " + dtype_name(w->dtype()));
    }
    FOGLINE_ASSIGN_OR_RETURN(ConvGeometry g, conv_geometry(attrs_, x.shape(), w->shape(), "ConvInteger"));
    FOGLINE_TRY(check_conv_workspace(g, "ConvInteger"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t x_zp, read_scalar_zero_point(ctx.input(2), x.dtype(), "ConvInteger x_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> w_zp, read_zero_points(ctx.input(3), w->dtype(), "ConvInteger w_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(w_zp, expand_param(std::move(w_zp), g.out_channels, "ConvInteger w_zero_point"));

    std::vector<int16_t> runtime_packed;
    const int16_t* wp = packed_.data();
    if (packed_.empty()) {
      FOGLINE_TRY((dispatch_types<uint8_t, int8_t>(w->dtype(), "ConvInteger", [&]<typename TW>() -> Status {
        runtime_packed = pack_conv_weights<TW>(*w, w_zp);
        return Status::ok();
      })));
      wp = runtime_packed.data();
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt32, g.output_shape()));
    int32_t* out = y->data<int32_t>();
    return dispatch_types<uint8_t, int8_t>(x.dtype(), "ConvInteger", [&]<typename TX>() -> Status {
      int_conv(x.data<TX>(), x_zp, wp, g, ctx.threads(),
               [&](int64_t n, int64_t m, int64_t p0, int64_t cnt, const int32_t* acc) {
                 std::copy(acc, acc + cnt, out + (n * g.out_channels + m) * g.out_size + p0);
               });
      return Status::ok();
    });
  }

 private:
  ConvAttrs attrs_;
  std::vector<int16_t> packed_;  // constant weights, packed at load time; empty otherwise
};

Result<std::unique_ptr<Kernel>> make_conv_integer(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new ConvIntegerKernel(read_conv_attrs(info.attrs()), prepack_conv_weights(info, 1, 3)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ConvInteger", 10, 1000, Backend::kReference, make_conv_integer);

}  // namespace fogline::engine::ops::quant
