// com.microsoft QLinearGlobalAveragePool when the onednn-layout pass tagged its input (NHWC,
// after an int8 convolution) or its output (a squeeze-and-excitation pool reading a plain
// activation and feeding int8 convolutions): the reference's arithmetic
// (ops/quant/qlinear_global_average_pool.cpp) on NHWC or NCHW bytes. The output [N, C, 1, 1]
// has the same bytes in every layout. Untagged nodes run on the reference kernel.
#include <vector>

#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

class LayoutQLinearGap : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (!has_layout_tags(info)) return unsupported("untagged QLinearGlobalAveragePool runs on the reference kernel");
    const std::string in = input_layout(info, 0);
    if (info.attrs().get_int("channels_last", 0) != 0 || (in != "nhwc" && !in.empty()))
      return internal_error("QLinearGlobalAveragePool: unexpected layout tags (input '" + in + "')");
    auto k = std::unique_ptr<LayoutQLinearGap>(new LayoutQLinearGap());
    k->in_nhwc_ = !in.empty();
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x || !quant::is_q8(x->dtype()) || x->rank() != 4)
      return internal_error(ctx.node().describe() + ": layout-tagged QLinearGlobalAveragePool needs a rank-4 8-bit input");
    const std::string op = "QLinearGlobalAveragePool";
    FOGLINE_ASSIGN_OR_RETURN(float x_scale, quant::read_scalar_scale(ctx.input(1), op + " x_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t x_zp, quant::read_scalar_zero_point(ctx.input(2), x->dtype(), op + " x_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float y_scale, quant::read_scalar_scale(ctx.input(3), op + " y_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t y_zp, quant::read_scalar_zero_point(ctx.input(4), x->dtype(), op + " y_zero_point"));
    FOGLINE_TRY(quant::check_positive_scales({x_scale, y_scale}, op + " scales"));
    const int64_t batch = x->dim(0), channels = x->dim(1), count = x->dim(2) * x->dim(3);
    if (count == 0) return invalid_argument(op + " input has no spatial positions: " + shape_to_string(x->shape()));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x->dtype(), Shape{batch, channels, 1, 1}));
    const float mult = x_scale / (static_cast<float>(count) * y_scale);
    const int64_t offset = count * x_zp;
    return dispatch_types<uint8_t, int8_t>(x->dtype(), op.c_str(), [&]<typename T>() -> Status {
      const T* in = x->data<T>();
      T* out = y->data<T>();
      const quant::Requantizer<T> rq(y_zp);
      for (int64_t n = 0; n < batch; ++n) {
        std::vector<int64_t> sums(static_cast<size_t>(channels), 0);
        const T* src = in + n * count * channels;
        if (in_nhwc_) {
          for (int64_t p = 0; p < count; ++p)
            for (int64_t c = 0; c < channels; ++c) sums[static_cast<size_t>(c)] += src[p * channels + c];
        } else {
          for (int64_t c = 0; c < channels; ++c)
            for (int64_t p = 0; p < count; ++p) sums[static_cast<size_t>(c)] += src[c * count + p];
        }
        for (int64_t c = 0; c < channels; ++c)
          out[n * channels + c] = rq(static_cast<float>(sums[static_cast<size_t>(c)] - offset) * mult);
      }
      return Status::ok();
    });
  }

 private:
  LayoutQLinearGap() = default;
  bool in_nhwc_ = true;  // else the input is plain NCHW (only the output is tagged)
};

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearGlobalAveragePool", 1, 1000, Backend::kDnnl, LayoutQLinearGap::make);

}  // namespace fogline::engine::ops::dnnl_ops
