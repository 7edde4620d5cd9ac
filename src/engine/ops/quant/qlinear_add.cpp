// com.microsoft QLinearAdd (ONNX Runtime contrib op):
//   C = saturate(round((A_scale * (A - A_zp) + B_scale * (B - B_zp)) / C_scale) + C_zp)
#include "engine/ops/quant/qlinear_binary.h"

namespace fogline::engine::ops::quant {
namespace {

struct AddReal {
  float operator()(float a, float b) const { return a + b; }
};

Result<std::unique_ptr<Kernel>> make_qlinear_add(const KernelBuildInfo&) {
  return std::unique_ptr<Kernel>(new QLinearBinaryKernel<AddReal>("QLinearAdd"));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearAdd", 1, 1000, Backend::kReference, make_qlinear_add);

}  // namespace fogline::engine::ops::quant
