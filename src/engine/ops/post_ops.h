// Fused epilogues (Node::post_ops), added by the fusion pass to Conv, ConvTranspose, Gemm and
// MatMul. A kernel that accepts post-ops either maps them to oneDNN post-ops or calls
// apply_post_ops on its finished output (the reference path); both must give the same result.
#pragma once

#include <cmath>

#include "engine/kernel.h"

namespace fogline::engine::ops {

inline float apply_post_op(const PostOp& p, float v, float addend) {
  switch (p.kind) {
    case PostOp::Kind::kRelu: return v > 0 ? v : 0;
    case PostOp::Kind::kLeakyRelu: return v > 0 ? v : v * p.alpha;
    case PostOp::Kind::kClip: return v < p.alpha ? p.alpha : (v > p.beta ? p.beta : v);
    case PostOp::Kind::kSigmoid: return 1.0f / (1.0f + std::exp(-v));
    case PostOp::Kind::kTanh: return std::tanh(v);
    case PostOp::Kind::kSilu: return v / (1.0f + std::exp(-v));
    case PostOp::Kind::kHardSigmoid: return std::fmax(0.0f, std::fmin(1.0f, p.alpha * v + p.beta));
    case PostOp::Kind::kHardSwish: return v * std::fmax(0.0f, std::fmin(1.0f, v / 6.0f + 0.5f));
    case PostOp::Kind::kGeluErf: return 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f));
    case PostOp::Kind::kGeluTanh:
      return 0.5f * v * (1.0f + std::tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    case PostOp::Kind::kAdd: return v + addend;
  }
  return v;
}

// Applies the node's post-ops, in order, to a float32 output. A fused Add's operand
// (ctx.input(p.input)) must have the output's shape (the fusion pass only fuses then).
inline Status apply_post_ops(const KernelContext& ctx, Tensor& out) {
  const auto& post = ctx.node().post_ops;
  if (post.empty()) return Status::ok();
  if (out.dtype() != DataType::kFloat) return unsupported("post-ops on a non-float32 output");
  float* y = out.data<float>();
  const int64_t n = out.numel();
  for (const PostOp& p : post) {
    const float* add = nullptr;
    if (p.kind == PostOp::Kind::kAdd) {
      const Tensor* t = ctx.input(p.input);
      if (!t || t->dtype() != DataType::kFloat || t->numel() != n) {
        return internal_error("fused Add operand does not match the output " + shape_to_string(out.shape()));
      }
      add = t->data<float>();
    }
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
    for (int64_t i = 0; i < n; ++i) y[i] = apply_post_op(p, y[i], add ? add[i] : 0.0f);
  }
  return Status::ok();
}

}  // namespace fogline::engine::ops
