// fuse-activation: an activation right after Conv / ConvTranspose / Gemm / MatMul becomes a
// post-op of that node (Node::post_ops, see ops/post_ops.h), which then writes the
// activation's output directly: one pass over memory instead of two. Handles Relu,
// LeakyRelu, Clip (constant bounds), Sigmoid, Tanh, HardSigmoid, HardSwish, the SiLU
// pattern x * Sigmoid(x) and the erf GELU pattern exporters write before opset 20. The producer may already carry post-ops (an earlier activation, or
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

bool accepts_fused_activation(const Node& n) {
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
      if (!accepts_fused_activation(producer) || (only_after_add() && !has_fused_add(producer))) continue;
      const int y = producer.outputs[0];
      // Post-ops run in float32 only.
      if (passes::value_dtype(graph, y) != DataType::kFloat || uses.is_graph_output(y)) continue;
      if (try_single(graph, uses, static_cast<int>(i)) || try_silu(graph, uses, static_cast<int>(i)) ||
          try_gelu(graph, uses, static_cast<int>(i))) {
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
  static bool try_gelu(Graph& graph, UseMap& uses, int i);

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

// Within float32 rounding of `want` (exporters write 1.4142135 or sqrt(2) computed in double).
bool constant_near(const Graph& g, int value, float want) {
  if (value < 0) return false;
  auto v = constant_scalar(g, value);
  return v && std::fabs(*v - want) <= 1e-5f * std::fabs(want);
}

// The input of binary node `n` that is not `v` (-1 unless `n` reads `v` once and one other value).
int other_input(const Node& n, int v) {
  if (n.inputs.size() != 2) return -1;
  if (n.inputs[0] == v && n.inputs[1] != v) return n.inputs[1];
  if (n.inputs[1] == v && n.inputs[0] != v) return n.inputs[0];
  return -1;
}

// y = P(...); e = Erf(y / √2) (Div by √2 or Mul by 1/√2); a = e + 1; out = y * a * 0.5, the
// two Muls in either order  ->  out = P(...) with GELU (erf).
bool FuseActivation::try_gelu(Graph& graph, UseMap& uses, int i) {
  const int y = graph.nodes[static_cast<size_t>(i)].outputs[0];
  const auto& readers = uses.readers(y);
  if (readers.size() != 2 || readers[0] == readers[1]) return false;
  for (int k = 0; k < 2; ++k) {
    const int scale = readers[static_cast<size_t>(k)], first_mul = readers[static_cast<size_t>(1 - k)];
    const Node& s = graph.nodes[static_cast<size_t>(scale)];
    const bool by_div = passes::is_op(s, "Div") && s.inputs.size() == 2 && s.inputs[0] == y &&
                        constant_near(graph, s.inputs[1], 1.41421356f);
    const bool by_mul = passes::is_op(s, "Mul") && constant_near(graph, other_input(s, y), 0.70710678f);
    if (!(by_div || by_mul) || !passes::single_output(s)) continue;
    const int erf = passes::sole_reader_op(graph, uses, s.outputs[0], "Erf");
    if (erf < 0) continue;
    const int add = passes::sole_reader_op(graph, uses, graph.nodes[static_cast<size_t>(erf)].outputs[0], "Add");
    if (add < 0) continue;
    const Node& a = graph.nodes[static_cast<size_t>(add)];
    const int erf_out = graph.nodes[static_cast<size_t>(erf)].outputs[0];
    if (!constant_near(graph, other_input(a, erf_out), 1.0f)) continue;
    const Node& m1 = graph.nodes[static_cast<size_t>(first_mul)];
    if (!passes::is_op(m1, "Mul") || !passes::single_output(m1)) continue;
    const int m1_other = other_input(m1, y);
    const bool gate_first = m1_other == a.outputs[0];       // m1 = y * a, then * 0.5
    const bool half_first = constant_near(graph, m1_other, 0.5f);  // m1 = y * 0.5, then * a
    if (!gate_first && !half_first) continue;
    if (gate_first && !uses.only_reader(a.outputs[0], first_mul)) continue;
    const int m2 = passes::sole_reader_op(graph, uses, m1.outputs[0], "Mul");
    if (m2 < 0) continue;
    const Node& last = graph.nodes[static_cast<size_t>(m2)];
    const int last_other = other_input(last, m1.outputs[0]);
    if (gate_first ? !constant_near(graph, last_other, 0.5f)
                   : (last_other != a.outputs[0] || !uses.only_reader(a.outputs[0], m2)))
      continue;
    Node fused = graph.nodes[static_cast<size_t>(i)];
    PostOp p;
    p.kind = Kind::kGeluErf;
    fused.post_ops.push_back(p);
    fused.outputs = {last.outputs[0]};
    for (int dead : {scale, erf, add, first_mul}) graph.nodes[static_cast<size_t>(dead)].dead = true;
    passes::replace_with_fused(graph, uses, i, m2, std::move(fused));
    return true;
  }
  return false;
}

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
