// DynamicQuantizeLinear: quantises float32 x to uint8 with a scale and zero point computed
// from x's range, which is first widened to include 0:
//   y_scale = (max(0, max x) - min(0, min x)) / 255
//   y_zero_point = saturate(round(0 - min / y_scale)),  y = saturate(round(x / y_scale) + zp)
// An all-zero input would give scale 0; like ONNX Runtime we use 1 then (y is all zp = 0).
#include <algorithm>

#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {
namespace {

class DynamicQuantizeLinearKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    if (!ctx.input(0)) return invalid_argument("DynamicQuantizeLinear input 0 is missing");
    const Tensor& x = *ctx.input(0);
    if (x.dtype() != DataType::kFloat) {
      return invalid_argument(std::string("DynamicQuantizeLinear input must be float32, got ") + dtype_name(x.dtype()));
    }
    const float* in = x.data<float>();
    const int64_t n = x.numel();
    float lo = 0.0f, hi = 0.0f;
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads()) reduction(min : lo) reduction(max : hi)
    for (int64_t i = 0; i < n; ++i) {
      lo = std::min(lo, in[i]);
      hi = std::max(hi, in[i]);
    }
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
      return invalid_argument("DynamicQuantizeLinear input holds an infinite value; its range cannot be quantised");
    }
    const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
    const Requantizer<uint8_t> zp_rq(0);
    const uint8_t zp = zp_rq((0.0f - lo) / scale);

    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kUInt8, x.shape()));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * ys, ctx.allocate_output(1, DataType::kFloat, {}));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * yz, ctx.allocate_output(2, DataType::kUInt8, {}));
    ys->data<float>()[0] = scale;
    yz->data<uint8_t>()[0] = zp;
    const Requantizer<uint8_t> rq(zp);
    uint8_t* out = y->data<uint8_t>();
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
    for (int64_t i = 0; i < n; ++i) out[i] = rq(in[i] / scale);
    return Status::ok();
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "DynamicQuantizeLinear", 11, 1000, Backend::kReference,
                        FOGLINE_SIMPLE_FACTORY(DynamicQuantizeLinearKernel));

}  // namespace fogline::engine::ops::quant
