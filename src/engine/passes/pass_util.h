// Small graph queries shared by the rewriting passes. Every pass asks the same questions
// before it touches a node ("is this value read only here?", "is it float32 with a known
// shape?"), and answering them in one place keeps the passes' safety rules identical.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/kernel.h"

namespace fogline::engine::passes {

// Who reads each value: node indices (live nodes only, inputs and implicit inputs) and
// whether it is a graph output. Rebuild after a rewrite that changes readers.
class UseMap {
 public:
  explicit UseMap(const Graph& graph) { rebuild(graph); }

  void rebuild(const Graph& graph) {
    readers_.assign(graph.values.size(), {});
    is_output_.assign(graph.values.size(), 0);
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
      const Node& node = graph.nodes[n];
      if (node.dead) continue;
      for (int in : node.inputs) add(in, static_cast<int>(n));
      for (int in : node.implicit_inputs) add(in, static_cast<int>(n));
    }
    for (int o : graph.outputs) {
      if (o >= 0) is_output_[static_cast<size_t>(o)] = 1;
    }
  }

  // Reading nodes; a node reading a value twice appears twice.
  const std::vector<int>& readers(int value) const {
    static const std::vector<int> kNone;
    return value >= 0 && static_cast<size_t>(value) < readers_.size() ? readers_[static_cast<size_t>(value)]
                                                                      : kNone;
  }
  bool is_graph_output(int value) const {
    return value >= 0 && static_cast<size_t>(value) < is_output_.size() && is_output_[static_cast<size_t>(value)];
  }
  // The value is read by exactly one input slot of exactly one node and is not a graph
  // output: only then may that node take over the producer's work.
  bool only_reader(int value, int node) const {
    const auto& r = readers(value);
    return !is_graph_output(value) && r.size() == 1 && r[0] == node;
  }
  // Keeps the map right after a rewrite. Entries left for dead nodes only make later
  // checks stricter, never looser, so the passes do not bother removing them.
  void move_reader(int value, int from, int to) {
    if (value < 0 || static_cast<size_t>(value) >= readers_.size()) return;
    for (int& r : readers_[static_cast<size_t>(value)]) {
      if (r == from) r = to;
    }
  }
  void add_reader(int value, int node) { add(value, node); }

 private:
  void add(int value, int node) {
    if (value < 0) return;
    if (static_cast<size_t>(value) >= readers_.size()) {
      readers_.resize(static_cast<size_t>(value) + 1);
      is_output_.resize(static_cast<size_t>(value) + 1, 0);
    }
    readers_[static_cast<size_t>(value)].push_back(node);
  }
  std::vector<std::vector<int>> readers_;
  std::vector<char> is_output_;
};

inline bool in_default_domain(const Node& n) { return n.domain.empty() || n.domain == "ai.onnx"; }

inline bool is_op(const Node& n, const char* op) { return !n.dead && in_default_domain(n) && n.op_type == op; }

// Element type of a value: the constant's when folded, else shape inference's.
inline DataType value_dtype(const Graph& g, int value) {
  if (value < 0) return DataType::kUndefined;
  const Value& v = g.values[static_cast<size_t>(value)];
  return v.constant ? v.constant->dtype() : v.type.dtype;
}

inline std::optional<Shape> value_static_shape(const Graph& g, int value) {
  if (value < 0) return std::nullopt;
  const Value& v = g.values[static_cast<size_t>(value)];
  if (v.constant) return v.constant->shape();
  return v.type.static_shape();
}

// True when two values certainly have the same shape at run time: the same rank and, per
// dimension, the same number or the same named symbol (ONNX gives equal dimensions one name;
// unnamed unknown dimensions never match).
inline bool same_shape(const Graph& g, int a, int b) {
  auto dims = [&](int v, std::vector<Dim>& out) {
    if (v < 0) return false;
    const Value& val = g.values[static_cast<size_t>(v)];
    if (val.constant) {
      for (int64_t d : val.constant->shape()) out.push_back(Dim{d, ""});
      return true;
    }
    out = val.type.dims;
    return val.type.has_shape;
  };
  std::vector<Dim> da, db;
  if (!dims(a, da) || !dims(b, db) || da.size() != db.size()) return false;
  for (size_t i = 0; i < da.size(); ++i) {
    if (da[i].is_static() || db[i].is_static()) {
      if (da[i].value != db[i].value) return false;
    } else if (da[i].symbol.empty() || da[i].symbol != db[i].symbol) {
      return false;
    }
  }
  return true;
}

inline const Tensor* value_constant(const Graph& g, int value) {
  if (value < 0) return nullptr;
  const Value& v = g.values[static_cast<size_t>(value)];
  return v.constant ? &*v.constant : nullptr;
}

// True when constant `c`, broadcast against an output of rank `out_rank`, varies only along
// output axis `axis` with `n` entries (every other dim 1): it then scales or shifts each slice
// along that axis by one number. `c` must reach `axis` (no implicit leading dims there).
inline bool varies_only_along(const Tensor& c, size_t out_rank, size_t axis, int64_t n) {
  if (c.numel() != n || static_cast<size_t>(c.rank()) > out_rank) return false;
  const size_t offset = out_rank - static_cast<size_t>(c.rank());
  if (offset > axis) return false;
  for (size_t d = 0; d < static_cast<size_t>(c.rank()); ++d) {
    if (c.dim(static_cast<int>(d)) != (d + offset == axis ? n : 1)) return false;
  }
  return true;
}

// True when a node the pass would write can run: with reference_only, on a reference kernel.
inline bool kernel_available(const std::string& domain, const std::string& op, int opset, bool reference_only) {
  for (const KernelDef* def : KernelRegistry::global().candidates(domain, op, opset)) {
    if (!reference_only || def->backend == Backend::kReference) return true;
  }
  return false;
}

// Node input i, or -1 when absent.
inline int input_of(const Node& n, size_t i) { return i < n.inputs.size() ? n.inputs[i] : -1; }

// True when the node has exactly one output in use (optional extra outputs omitted).
inline bool single_output(const Node& n) {
  if (n.outputs.empty() || n.outputs[0] < 0) return false;
  for (size_t i = 1; i < n.outputs.size(); ++i) {
    if (n.outputs[i] >= 0) return false;
  }
  return true;
}

// The node that alone reads `v` (v not a graph output) when it is a live `op` with one output
// in use, else -1: the test every pattern-matching pass applies to the next link of a chain.
inline int sole_reader_op(const Graph& g, const UseMap& uses, int v, const char* op) {
  const auto& readers = uses.readers(v);
  if (readers.size() != 1 || !uses.only_reader(v, readers[0])) return -1;
  const Node& n = g.nodes[static_cast<size_t>(readers[0])];
  return is_op(n, op) && single_output(n) ? readers[0] : -1;
}

// Puts `fused` (the producer at slot `from`, rewritten to also do the work of its consumer)
// in the consumer's slot `to`, and kills the producer. The consumer's slot is after every
// value either node reads, so the graph stays in topological order without re-sorting.
inline void replace_with_fused(Graph& g, UseMap& uses, int from, int to, Node fused) {
  for (int in : g.nodes[static_cast<size_t>(from)].inputs) uses.move_reader(in, from, to);
  for (int in : fused.inputs) {
    bool known = false;
    for (int r : uses.readers(in)) known = known || r == to;
    if (!known) uses.add_reader(in, to);
  }
  g.nodes[static_cast<size_t>(to)] = std::move(fused);
  g.nodes[static_cast<size_t>(from)].dead = true;
}

// Stores `t` as a new constant value (a fresh name derived from `hint`) and returns its id.
inline int add_constant(Graph& g, const std::string& hint, Tensor t) {
  int id = g.add_temp_value(hint);
  Value& v = g.values[static_cast<size_t>(id)];
  v.type.dtype = t.dtype();
  v.type.has_shape = true;
  v.type.dims.clear();
  for (int64_t d : t.shape()) v.type.dims.push_back(Dim{d, ""});
  v.constant = std::move(t);
  return id;
}

// Folds a Conv's per-channel consumer (node `to`, reading the Conv at `from`) into the Conv:
// new constant weights when given, a new constant bias, and the consumer's output.
inline void fold_into_conv(Graph& g, UseMap& uses, int from, int to, std::optional<Tensor> weights, Tensor bias,
                           const std::string& tag) {
  const Node& conv = g.nodes[static_cast<size_t>(from)];
  Node fused = conv;
  fused.inputs.resize(3);
  if (weights) {
    fused.inputs[1] = add_constant(g, g.values[static_cast<size_t>(conv.inputs[1])].name + "_" + tag, std::move(*weights));
  }
  fused.inputs[2] = add_constant(g, conv.name + "_" + tag + "_bias", std::move(bias));
  fused.outputs = {g.nodes[static_cast<size_t>(to)].outputs[0]};
  replace_with_fused(g, uses, from, to, std::move(fused));
}

}  // namespace fogline::engine::passes
