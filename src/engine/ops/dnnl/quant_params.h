// Load-time quantisation parameters of the 8-bit ops that run on oneDNN (QLinearConv,
// QLinearMatMul). oneDNN bakes scales and zero points into the primitive (attributes), so
// these kernels take a node only when every scale and zero point is a constant, the weights
// are constant int8 with zero points 0 (what symmetric per-channel quantisers write) and the
// activations are int8/uint8. Anything else is declined and the reference kernel runs it.
// The onednn-layout pass asks the same question before tagging a QLinearConv's values.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/kernel.h"

namespace fogline::engine::ops::dnnl_ops {

struct QuantParams {
  DataType x_type = DataType::kUndefined, y_type = DataType::kUndefined;
  int32_t x_zp = 0, y_zp = 0;
  float y_scale = 1;
  // x_scale * w_scale[m] / y_scale, computed in float in that order, as the reference does:
  // one value (per-tensor weights) or one per output channel.
  std::vector<float> out_scales;
  int64_t out_channels = 0;  // the weights' channel count the scales run along
};

// True when oneDNN's int8 kernels use VNNI (or AMX) dot products. Without them (AVX2,
// AVX-512 without VNNI) oneDNN multiplies u8 x s8 pairs with vpmaddubsw, whose int16 sums
// saturate: results then differ from the exact reference by many steps, so we decline.
bool cpu_has_int8_dot();

// Inputs follow QLinearConv / QLinearMatMul: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp.
// `channel_axis` is the weights' output-channel axis (0 for Conv's [M, C/g, k..], 1 for
// MatMul's [K, N]). Returns `unsupported` (with the reason) for anything not covered exactly.
Result<QuantParams> read_quant_params(const KernelBuildInfo& info, int channel_axis);

}  // namespace fogline::engine::ops::dnnl_ops
