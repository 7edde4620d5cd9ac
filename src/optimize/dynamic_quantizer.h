// Dynamic int8 quantisation for MatMul-heavy models (transformers, GRU/LSTM projections):
// weights are quantised offline (int8, symmetric, per output column), activations at run
// time per tensor by DynamicQuantizeLinear, so no calibration data is needed. Each MatMul with
// a constant 2-D weight becomes the pattern ONNX Runtime's quantize_dynamic writes and fuses
// (DynamicQuantizeMatMul / MatMulIntegerToFloat):
//   DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, 0) -> Cast(float)
//   -> Mul(A_scale * W_scale[n]) -> Y
#pragma once

#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::optimize {

struct DynamicQuantizeOptions {
  std::set<std::string> keep_fp32;  // MatMul node names left in fp32
};

struct DynamicQuantizeReport {
  int matmuls = 0;
  std::vector<std::string> kept_fp32;  // MatMuls not rewritten (asked, or weight not a constant 2-D float)
};

Result<DynamicQuantizeReport> quantize_dynamic(onnx::ModelProto* model, const DynamicQuantizeOptions& options = {});

}  // namespace fogline::optimize
