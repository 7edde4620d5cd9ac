// Quantisation arithmetic shared by the quantiser, the dequantiser and the tests: affine
// parameters from a real range, per-channel symmetric int8 weights, and the rounding ONNX's
// QuantizeLinear uses (half to even), so what we compute offline is what a runtime computes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "engine/tensor.h"

namespace fogline::optimize {

struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// qmin/qmax of an 8-bit type (kUInt8: 0..255, kInt8: -128..127).
int32_t quant_min(engine::DataType type);
int32_t quant_max(engine::DataType type);

// Asymmetric parameters covering [rmin, rmax] (widened to include 0, so zero is exact —
// padding and ReLU outputs must map to an integer). A zero-width range gets scale 1.
QuantParams affine_params(float rmin, float rmax, engine::DataType type);

// Half-to-even rounding and saturation, as ONNX QuantizeLinear.
int32_t quantize_value(float x, const QuantParams& p, engine::DataType type);
inline float dequantize_value(int32_t q, const QuantParams& p) {
  return static_cast<float>(q - p.zero_point) * p.scale;
}

// Per-channel symmetric int8 weights along `axis`: scale_c = max|w_c| / 127, zero point 0,
// values in [-127, 127] (the symmetric range, so -128 never appears and s8 x u8 products in
// VNNI's 16-bit intermediate cannot saturate pairs).
struct ChannelQuantized {
  engine::Tensor values;      // int8, the shape of the input
  std::vector<float> scales;  // one per channel
};
Result<ChannelQuantized> quantize_per_channel_symmetric(const engine::Tensor& w, int axis);

// Dequantises `q` (uint8/int8/int32) with per-tensor (scales.size() == 1) or per-axis
// parameters: (q - zero_point[c]) * scale[c].
Result<engine::Tensor> dequantize_tensor(const engine::Tensor& q, const std::vector<float>& scales,
                                         const std::vector<int32_t>& zero_points, int axis);

}  // namespace fogline::optimize
