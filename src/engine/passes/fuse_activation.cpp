// fuse-activation: an activation right after Conv / ConvTranspose / Gemm / MatMul becomes a
// post-op of that node (Node::post_ops, see ops/post_ops.h), which then writes the
// activation's output directly: one pass over memory instead of two. Handles Relu,
// LeakyRelu, Clip (constant bounds), Sigmoid, Tanh, HardSigmoid, HardSwish and the SiLU
// pattern x * Sigmoid(x). The producer may already carry post-ops (an earlier activation, or
// a fused Add), so chains like Conv -> Add -> Relu end as one node.
//
// Registered twice: before fuse-add (Conv -> Relu) and after it (Conv -> Add -> Relu).
#include <cmath>
#include <limits>
#include <optional>

#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::UseMap;
using Kind = PostOp::Kind;

bool fusable_producer(const Node& n) {
  if (n.dead || !passes::in_default_domain(n) || !passes::single_output(n)) return false;
  return n.op_type == "Conv" || n.op_type == "ConvTranspose" || n.op_type == "Gemm" || n.op_type == "MatMul";
}

// A constant float32 scalar (one element) or nullopt.
std::optional<float> constant_scalar(const Graph& g, int value) {
  const Tensor* t = passes::value_constant(g, value);
  if (!t || t->dtype() != DataType::kFloat || t->numel() != 1) return std::nullopt;
  return t->data<float>()[0];
}

std::optional<PostOp> clip_post_op(const Graph& g, const Node& act) {
  PostOp p;
  p.kind = Kind::kClip;
  if (act.opset < 11) {
    p.alpha = act.attrs.get_float("min", std::numeric_limits<float>::lowest());
    p.beta = act.attrs.get_float("max", std::numeric_limits<float>::max());
  } else {
    p.alpha = -std::numeric_limits<float>::infinity();
    p.beta = std::numeric_limits<float>::infinity();
    const int lo = passes::input_of(act, 1), hi = passes::input_of(act, 2);
    if (lo >= 0) {
      auto v = constant_scalar(g, lo);
      if (!v) return std::nullopt;
      p.alpha = *v;
    }
    if (hi >= 0) {
      auto v = constant_scalar(g, hi);
      if (!v) return std::nullopt;
      p.beta = *v;
    }
  }
  // Clip with min > max sets everything to max; the post-op clamps differently, so leave it.
  if (std::isnan(p.alpha) || std::isnan(p.beta) || p.alpha > p.beta) return std::nullopt;
  return p;
}

// The post-op equivalent to `act` (reading its input 0), if there is one.
std::optional<PostOp> activation_post_op(const Graph& g, const Node& act) {
  if (act.dead || !passes::in_default_domain(act) || !passes::single_output(act)) return std::nullopt;
  PostOp p;
  const std::string& op = act.op_type;
  if (op == "Clip") return clip_post_op(g, act);
  // The others take only X; anything more is not the op we know.
  if (act.inputs.size() != 1) return std::nullopt;
  if (op == "Relu") {
    p.kind = Kind::kRelu;
  } else if (op == "LeakyRelu") {
    p.kind = Kind::kLeakyRelu;
    p.alpha = act.attrs.get_float("alpha", 0.01f);
  } else if (op == "Sigmoid") {
    p.kind = Kind::kSigmoid;
  } else if (op == "Tanh") {
    p.kind = Kind::kTanh;
  } else if (op == "HardSigmoid") {
    p.kind = Kind::kHardSigmoid;
    p.alpha = act.attrs.get_float("alpha", 0.2f);
    p.beta = act.attrs.get_float("beta", 0.5f);
  } else if (op == "HardSwish") {
    p.kind = Kind::kHardSwish;
  } else {
    return std::nullopt;
  }
  return p;
}

class FuseActivation : public GraphPass {
 public:
  const char* name() const override { return "fuse-activation"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    UseMap uses(graph);
    int changes = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& producer = graph.nodes[i];
      if (!fusable_producer(producer) || (only_after_add() && !has_fused_add(producer))) continue;
      const int y = producer.outputs[0];
      // Post-ops run in float32 only.
      if (passes::value_dtype(graph, y) != DataType::kFloat || uses.is_graph_output(y)) continue;
      if (try_single(graph, uses, static_cast<int>(i)) || try_silu(graph, uses, static_cast<int>(i))) {
        ++changes;
      }
      // The fused node now sits at the consumer's (later) slot; the loop reaches it again
      // there and tries the next activation of a chain.
    }
    return changes;
  }

 protected:
  // The second instance only finishes what fuse-add started, so that disabling
  // fuse-activation by name turns plain activation fusion off.
  virtual bool only_after_add() const { return false; }

 private:
  static bool is_hard_swish_gate(const Node& n) {
    return std::fabs(n.attrs.get_float("alpha", 0.2f) - 1.0f / 6.0f) < 1e-6f && n.attrs.get_float("beta", 0.5f) == 0.5f;
  }

  static bool has_fused_add(const Node& n) {
    for (const PostOp& p : n.post_ops) {
      if (p.kind == Kind::kAdd) return true;
    }
    return false;
  }

  static bool try_single(Graph& graph, UseMap& uses, int i) {
    const Node& producer = graph.nodes[static_cast<size_t>(i)];
    const int y = producer.outputs[0];
    const auto& readers = uses.readers(y);
    if (readers.size() != 1 || !uses.only_reader(y, readers[0])) return false;
    const int j = readers[0];
    const Node& act = graph.nodes[static_cast<size_t>(j)];
    if (act.inputs.empty() || act.inputs[0] != y) return false;
    auto post = activation_post_op(graph, act);
    if (!post) return false;
    Node fused = producer;
    fused.post_ops.push_back(*post);
    fused.outputs = {act.outputs[0]};
    passes::replace_with_fused(graph, uses, i, j, std::move(fused));
    return true;
  }

  // y = P(...); s = Sigmoid(y); z = Mul(y, s) (either order)  ->  z = P(...) with SiLU.
  // Likewise s = HardSigmoid(y) with alpha 1/6 and beta 0.5 (how exporters spell HardSwish)
  // -> HardSwish.
  static bool try_silu(Graph& graph, UseMap& uses, int i) {
    const Node& producer = graph.nodes[static_cast<size_t>(i)];
    const int y = producer.outputs[0];
    const auto& readers = uses.readers(y);
    if (readers.size() != 2 || readers[0] == readers[1]) return false;
    int sig = -1, mul = -1;
    for (int r : readers) {
      const Node& n = graph.nodes[static_cast<size_t>(r)];
      if (passes::is_op(n, "Sigmoid") || (passes::is_op(n, "HardSigmoid") && is_hard_swish_gate(n))) sig = r;
      if (passes::is_op(n, "Mul")) mul = r;
    }
    if (sig < 0 || mul < 0) return false;
    const Node& s = graph.nodes[static_cast<size_t>(sig)];
    const Node& m = graph.nodes[static_cast<size_t>(mul)];
    if (s.inputs.size() != 1 || !passes::single_output(s) || !passes::single_output(m) || m.inputs.size() != 2) {
      return false;
    }
    const int s_out = s.outputs[0];
    if (!uses.only_reader(s_out, mul)) return false;
    const bool pattern = (m.inputs[0] == y && m.inputs[1] == s_out) || (m.inputs[0] == s_out && m.inputs[1] == y);
    if (!pattern) return false;
    Node fused = producer;
    PostOp p;
    p.kind = s.op_type == "Sigmoid" ? Kind::kSilu : Kind::kHardSwish;
    fused.post_ops.push_back(p);
    fused.outputs = {m.outputs[0]};
    graph.nodes[static_cast<size_t>(sig)].dead = true;
    passes::replace_with_fused(graph, uses, i, mul, std::move(fused));
    return true;
  }
};

// The same fusion again after fuse-add, for activations that follow a fused residual Add.
class FuseActivationAfterAdd : public FuseActivation {
 public:
  const char* name() const override { return "fuse-activation-after-add"; }

 protected:
  bool only_after_add() const override { return true; }
};

}  // namespace

FOGLINE_REGISTER_PASS(300, FuseActivation);
FOGLINE_REGISTER_PASS(320, FuseActivationAfterAdd);

}  // namespace fogline::engine
