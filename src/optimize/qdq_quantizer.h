// Static int8 quantisation written as standard QDQ ONNX (the format ONNX Runtime's
// quantize_static writes with QuantFormat.QDQ): every quantised activation gets a
// QuantizeLinear -> DequantizeLinear pair after its producer, every quantised weight is an int8
// initializer read through a per-channel DequantizeLinear, and conv/gemm biases are int32
// initializers with scale x_scale * w_scale[c] read through a DequantizeLinear. The float ops
// stay, so any runtime can run the file; runtimes that fuse DQ -> Conv -> Q run it in int8.
//
// Choices (docs/optimize.md says why):
//   weights      int8, symmetric (zero point 0), per output channel, range [-127, 127];
//   activations  uint8, asymmetric, per tensor — u8 x s8 is what x86 VNNI/AMX (vpdpbusd,
//                tdpbusd) multiply natively and what ORT's QDQ fusion expects by default;
//                int8 is available (activation_type) for runtimes that want s8 x s8.
//   Relu / Clip(0, x) right after a quantised op is folded into the output quantisation
//   (u8 with zero point 0 clips at 0 exactly; the calibrated max of a Clip output is <= its
//   max), so the pattern stays DQ -> Conv -> Q.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/dtype.h"
#include "optimize/calibration.h"

namespace fogline::optimize {

struct QuantizeOptions {
  CalibrationOptions calibration;
  engine::DataType activation_type = engine::DataType::kUInt8;
  // Op types that are quantised (their float inputs and output).
  std::set<std::string> op_types = {"Conv", "MatMul", "Gemm", "Add", "Mul", "GlobalAveragePool", "AveragePool", "Concat"};
  // Node names kept in fp32 (accuracy control puts sensitive layers back here).
  std::set<std::string> keep_fp32;
  // A kept Conv/MatMul/Gemm still reads its data input through Q/DQ when a quantised op writes
  // it: the producer then keeps its 8-bit output (an int8 op, then one DequantizeLinear) instead
  // of falling back to a float op with dequantised weights because nothing quantised reads it.
  // Cheaper fp32 islands; the kept layer's input is then rounded to 8 bits.
  bool quantize_kept_inputs = false;
  bool fold_activations = true;
  bool quantize_bias = true;
  // Ranges from an earlier calibration of the same fp32 model (QuantizeReport::ranges): tensors
  // found here are not calibrated again, so accuracy control can try many keep_fp32 sets for
  // the cost of one calibration.
  const std::map<std::string, TensorRange>* known_ranges = nullptr;
};

struct QuantizeReport {
  std::map<std::string, int> quantized_ops;  // op type -> nodes quantised
  int activations = 0;                       // Q/DQ pairs inserted
  int weights = 0;                           // per-channel int8 weights
  int biases = 0;                            // int32 biases
  int folded_activations = 0;                // Relu/Clip folded into the output quantisation
  int constant_identities = 0;               // Identity(constant) nodes bypassed and dropped
  std::vector<std::string> kept_fp32;        // candidate nodes left in fp32 (asked or not quantisable)
  std::map<std::string, TensorRange> ranges; // per quantised activation tensor
  bool opset_upgraded = false;
  int opset = 0;
};

// Quantises `model` (fp32) in place, calibrating on `count` samples from `samples`.
Result<QuantizeReport> quantize_static(onnx::ModelProto* model, const SampleSource& samples, int64_t count,
                                       const QuantizeOptions& options);

}  // namespace fogline::optimize
