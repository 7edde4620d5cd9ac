// com.microsoft QLinearSigmoid (ONNX Runtime contrib op): y = quantize(1 / (1 + exp(-dequantize(x)))).
#include <cmath>

#include "engine/ops/quant/qlinear_unary.h"

namespace fogline::engine::ops::quant {
namespace {

Result<std::unique_ptr<Kernel>> make_qlinear_sigmoid(const KernelBuildInfo&) {
  return std::unique_ptr<Kernel>(
      new QLinearUnaryKernel("QLinearSigmoid", [](float v) { return 1.0f / (1.0f + std::exp(-v)); }));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearSigmoid", 1, 1000, Backend::kReference, make_qlinear_sigmoid);

}  // namespace fogline::engine::ops::quant
