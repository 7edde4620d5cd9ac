// Quantised model -> fp32 model: QLinearConv/QLinearMatMul, com.microsoft QLinearAdd/Mul/
// GlobalAveragePool/AveragePool/Concat/Sigmoid/LeakyRelu and QuantizeLinear/DequantizeLinear
// pairs become plain Conv/MatMul/Add/... on dequantised (real-valued) weights. Used to get an
// fp32 starting point from a model published only in int8 (`fogline convert --dequantize`).
//
// Where a quantised op's output range starts at exactly 0 (zero point = qmin), the int8 model
// clips negatives: that is a fused ReLU, and the fp32 model gets an explicit Relu. With
// `clip_to_range` every quantised output is clipped to its representable range instead (the
// int8 model's saturation, e.g. ReLU6 folded into the scale), which reproduces the int8
// model more closely but keeps calibration ranges in the fp32 model.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <string>

#include "core/status.h"

namespace fogline::optimize {

struct DequantizeOptions {
  bool clip_to_range = false;
};

struct DequantizeReport {
  std::map<std::string, int> rewritten;  // quantised op type -> count
  int relus_added = 0;
  int clips_added = 0;
  int weights_dequantized = 0;
};

// Rewrites `model` in place; fails naming the node when an op cannot be dequantised
// (ConvInteger, MatMulInteger, per-axis activations, channels-last pooling).
Result<DequantizeReport> dequantize_model(onnx::ModelProto* model, const DequantizeOptions& options = {});

}  // namespace fogline::optimize
