// LSTM on oneDNN (lstm_forward, with peepholes when P is given); see recurrent.h.
#include "engine/ops/dnnl/recurrent.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

Result<std::unique_ptr<Kernel>> make_lstm(const KernelBuildInfo& info) {
  RecurrentSpec spec;
  spec.op = "LSTM";
  spec.gates = 4;
  spec.from_onnx = {0, 2, 3, 1};  // oneDNN i, f, c, o from ONNX i, o, f, c
  spec.lstm = true;
  spec.activations_per_direction = 3;
  return make_recurrent_kernel(info, std::move(spec));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "LSTM", 1, 1000, Backend::kDnnl, make_lstm);

}  // namespace fogline::engine::ops::dnnl_ops
