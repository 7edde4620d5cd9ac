// com.microsoft QLinearMul (ONNX Runtime contrib op):
//   C = saturate(round((A_scale * (A - A_zp)) * (B_scale * (B - B_zp)) / C_scale) + C_zp)
#include "engine/ops/quant/qlinear_binary.h"

namespace fogline::engine::ops::quant {
namespace {

struct MulReal {
  float operator()(float a, float b) const { return a * b; }
};

Result<std::unique_ptr<Kernel>> make_qlinear_mul(const KernelBuildInfo&) {
  return std::unique_ptr<Kernel>(new QLinearBinaryKernel<MulReal>("QLinearMul"));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearMul", 1, 1000, Backend::kReference, make_qlinear_mul);

}  // namespace fogline::engine::ops::quant
