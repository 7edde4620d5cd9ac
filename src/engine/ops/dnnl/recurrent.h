// GRU and LSTM (fp32) on oneDNN's RNN primitives. ONNX and oneDNN agree on the cell maths for
// the default activations without clipping; they differ in where things live:
// - gate order: ONNX GRU z,r,h = oneDNN u,r,o; ONNX LSTM i,o,f,c vs oneDNN i,f,c,o;
// - biases: ONNX keeps Wb and Rb apart, oneDNN wants their sum per gate (and, for
//   linear-before-reset GRU, Rb of the candidate gate as a fourth "gate");
// - LSTM peepholes: ONNX i,o,f vs oneDNN i,f,o;
// - bidirectional Y: ONNX [T, D, N, H] vs oneDNN [T, N, D*H].
// Constant W/R/B/P (the usual case) are rearranged and reordered once when the primitive is
// built. Cases oneDNN cannot express (other activations, clip, ragged sequence_lens, layout 1,
// coupled input-forget gate) run the reference kernel.
#pragma once

#include <array>

#include "engine/ops/dnnl/dnnl_kernel.h"

namespace fogline::engine::ops::dnnl_ops {

struct RecurrentSpec {
  const char* op = "";
  int gates = 0;                 // ONNX gates in W/R: 3 (GRU) or 4 (LSTM)
  std::array<int, 4> from_onnx;  // oneDNN gate g takes ONNX gate from_onnx[g]
  bool lstm = false;
  bool linear_before_reset = false;
  // Activations per direction: the first is the gates' sigmoid, the others tanh (ONNX's
  // defaults for GRU and LSTM, the only ones oneDNN implements).
  int activations_per_direction = 0;
};

// Builds the kernel, or returns unsupported when the node's attributes need the reference.
Result<std::unique_ptr<Kernel>> make_recurrent_kernel(const KernelBuildInfo& info, RecurrentSpec spec);

}  // namespace fogline::engine::ops::dnnl_ops
