// GRU on oneDNN (gru_forward, or lbr_gru_forward for linear_before_reset = 1); see recurrent.h.
#include "engine/ops/dnnl/recurrent.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

Result<std::unique_ptr<Kernel>> make_gru(const KernelBuildInfo& info) {
  RecurrentSpec spec;
  spec.op = "GRU";
  spec.gates = 3;
  spec.from_onnx = {0, 1, 2, 0};  // z, r, h = oneDNN u, r, o
  spec.linear_before_reset = info.attrs().get_int("linear_before_reset", 0) != 0;
  spec.activations_per_direction = 2;
  return make_recurrent_kernel(info, std::move(spec));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "GRU", 1, 1000, Backend::kDnnl, make_gru);

}  // namespace fogline::engine::ops::dnnl_ops
