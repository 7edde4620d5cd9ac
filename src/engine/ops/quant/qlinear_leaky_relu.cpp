// com.microsoft QLinearLeakyRelu (ONNX Runtime contrib op):
//   y = quantize(v >= 0 ? v : alpha * v) with v = dequantize(x); alpha defaults to 0.01.
#include "engine/ops/quant/qlinear_unary.h"

namespace fogline::engine::ops::quant {
namespace {

Result<std::unique_ptr<Kernel>> make_qlinear_leaky_relu(const KernelBuildInfo& info) {
  const float alpha = info.attrs().get_float("alpha", 0.01f);
  return std::unique_ptr<Kernel>(
      new QLinearUnaryKernel("QLinearLeakyRelu", [alpha](float v) { return v >= 0 ? v : alpha * v; }));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearLeakyRelu", 1, 1000, Backend::kReference, make_qlinear_leaky_relu);

}  // namespace fogline::engine::ops::quant
