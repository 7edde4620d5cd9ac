// shape-propagation: fills in static output shapes that ONNX shape inference could not know at
// import because a Reshape target or Slice bound was computed in the graph (Shape -> Gather ->
// Div -> ...). After constant-folding those inputs are constants, so the shapes follow; once
// one is unknown, everything downstream is too, and the passes that need static shapes
// (layout regions, fusions) skip all of it. ShuffleNet exports lose their shapes after the
// first block this way.
//
// Only fills shapes that are missing, never changes a known one, and covers the ops such
// chains run through; an op it does not know ends the propagation along that path.
#include <functional>
#include <map>
#include <optional>

#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/shape/reshape_target.h"
#include "engine/ops/shape/slice_window.h"
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using Shapes = std::vector<std::optional<Shape>>;  // per input; nullopt: unknown or absent
using Rule = std::function<std::optional<Shape>(const Graph&, const Node&, const Shapes&)>;

std::optional<std::vector<int64_t>> constant_ints(const Graph& g, int value) {
  const Tensor* t = passes::value_constant(g, value);
  if (!t || t->rank() > 1) return std::nullopt;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t->numel(); ++i) out.push_back(t->value_as_int(i));
  return out;
}

std::optional<Shape> same_as_first(const Graph&, const Node&, const Shapes& in) { return in.empty() ? std::nullopt : in[0]; }

std::optional<Shape> broadcast(const Graph&, const Node&, const Shapes& in) {
  if (in.empty() || !in[0]) return std::nullopt;
  Shape out = *in[0];
  for (size_t i = 1; i < in.size(); ++i) {
    if (!in[i]) return std::nullopt;
    auto b = ops::broadcast_shapes(out, *in[i]);
    if (!b.is_ok()) return std::nullopt;
    out = *b;
  }
  return out;
}

std::optional<Shape> reshape(const Graph& g, const Node& n, const Shapes& in) {
  auto target = constant_ints(g, passes::input_of(n, 1));
  if (!in[0] || !target) return std::nullopt;
  auto out = ops::reshape_target(*in[0], *target, n.attrs.get_int("allowzero", 0) != 0);
  if (!out.is_ok()) return std::nullopt;
  return *out;
}

std::optional<Shape> slice(const Graph& g, const Node& n, const Shapes& in) {
  if (!in[0] || n.opset < 10) return std::nullopt;
  auto starts = constant_ints(g, passes::input_of(n, 1));
  auto ends = constant_ints(g, passes::input_of(n, 2));
  std::vector<int64_t> axes, steps;
  if (!starts || !ends) return std::nullopt;
  if (passes::input_of(n, 3) >= 0) {
    auto a = constant_ints(g, passes::input_of(n, 3));
    if (!a) return std::nullopt;
    axes = *a;
  }
  if (passes::input_of(n, 4) >= 0) {
    auto s = constant_ints(g, passes::input_of(n, 4));
    if (!s) return std::nullopt;
    steps = *s;
  }
  auto w = ops::slice_window(*in[0], *starts, *ends, axes, steps);
  if (!w.is_ok()) return std::nullopt;
  return w->out_shape;
}

std::optional<Shape> concat(const Graph&, const Node& n, const Shapes& in) {
  if (in.empty() || !in[0]) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(in[0]->size());
  int64_t axis = n.attrs.get_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  Shape out = *in[0];
  out[static_cast<size_t>(axis)] = 0;
  for (const auto& s : in) {
    if (!s || static_cast<int64_t>(s->size()) != rank) return std::nullopt;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && (*s)[static_cast<size_t>(d)] != (*in[0])[static_cast<size_t>(d)]) return std::nullopt;
    out[static_cast<size_t>(axis)] += (*s)[static_cast<size_t>(axis)];
  }
  return out;
}

std::optional<Shape> transpose(const Graph&, const Node& n, const Shapes& in) {
  if (!in[0]) return std::nullopt;
  std::vector<int64_t> perm = n.attrs.get_ints("perm");
  const size_t rank = in[0]->size();
  if (perm.empty())
    for (size_t i = rank; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  if (perm.size() != rank) return std::nullopt;
  Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank)) return std::nullopt;
    out.push_back((*in[0])[static_cast<size_t>(p)]);
  }
  return out;
}

// Conv and the pools: the window arithmetic the oneDNN kernels use (auto_pad, ceil_mode).
std::optional<Shape> windowed(const Graph&, const Node& n, const Shapes& in) {
  if (!in[0] || in[0]->size() < 3) return std::nullopt;
  std::vector<int64_t> kernel = n.attrs.get_ints("kernel_shape");
  int64_t channels = (*in[0])[1];
  if (n.op_type == "Conv") {
    if (in.size() < 2 || !in[1] || in[1]->size() != in[0]->size()) return std::nullopt;
    channels = (*in[1])[0];
    if (kernel.empty()) kernel.assign(in[1]->begin() + 2, in[1]->end());
  }
  const Shape spatial(in[0]->begin() + 2, in[0]->end());
  auto w = ops::dnnl_ops::conv_window(spatial, kernel, n.attrs.get_ints("strides"), n.attrs.get_ints("dilations"),
                                      n.attrs.get_ints("pads"), n.attrs.get_string("auto_pad", "NOTSET"),
                                      n.attrs.get_int("ceil_mode", 0) != 0, n.op_type);
  if (!w.is_ok()) return std::nullopt;
  Shape out{(*in[0])[0], channels};
  out.insert(out.end(), w->out.begin(), w->out.end());
  return out;
}

std::optional<Shape> global_pool(const Graph&, const Node&, const Shapes& in) {
  if (!in[0] || in[0]->size() < 3) return std::nullopt;
  Shape out{(*in[0])[0], (*in[0])[1]};
  out.resize(in[0]->size(), 1);
  return out;
}

std::optional<Shape> flatten(const Graph&, const Node& n, const Shapes& in) {
  if (!in[0]) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(in[0]->size());
  int64_t axis = n.attrs.get_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) return std::nullopt;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= (*in[0])[static_cast<size_t>(d)];
  return Shape{outer, inner};
}

std::optional<Shape> gemm(const Graph&, const Node& n, const Shapes& in) {
  if (in.size() < 2 || !in[0] || !in[1] || in[0]->size() != 2 || in[1]->size() != 2) return std::nullopt;
  const int64_t m = n.attrs.get_int("transA", 0) ? (*in[0])[1] : (*in[0])[0];
  const int64_t cols = n.attrs.get_int("transB", 0) ? (*in[1])[0] : (*in[1])[1];
  return Shape{m, cols};
}

std::optional<Shape> matmul(const Graph&, const Node&, const Shapes& in) {
  if (in.size() < 2 || !in[0] || !in[1] || in[0]->size() < 2 || in[1]->size() < 2) return std::nullopt;
  Shape a(in[0]->begin(), in[0]->end() - 2), b(in[1]->begin(), in[1]->end() - 2);
  auto batch = ops::broadcast_shapes(a, b);
  if (!batch.is_ok() || in[0]->back() != (*in[1])[in[1]->size() - 2]) return std::nullopt;
  Shape out = *batch;
  out.push_back((*in[0])[in[0]->size() - 2]);
  out.push_back(in[1]->back());
  return out;
}

const std::map<std::string, Rule>& rules() {
  static const std::map<std::string, Rule> table = [] {
    std::map<std::string, Rule> t;
    for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Clip", "Elu", "Selu",
                           "Softplus", "Erf", "Exp", "Log", "Sqrt", "Neg", "Abs", "Identity", "Dropout",
                           "BatchNormalization", "Softmax", "LogSoftmax", "LRN", "InstanceNormalization",
                           "LayerNormalization", "Cast", "ChannelShuffle"})
      t[op] = same_as_first;
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "PRelu", "Where", "Equal",
                           "Greater", "Less"})
      t[op] = broadcast;
    t["Reshape"] = reshape;
    t["Slice"] = slice;
    t["Concat"] = concat;
    t["Transpose"] = transpose;
    t["Conv"] = t["MaxPool"] = t["AveragePool"] = windowed;
    t["GlobalAveragePool"] = t["GlobalMaxPool"] = global_pool;
    t["Flatten"] = flatten;
    t["Gemm"] = gemm;
    t["MatMul"] = matmul;
    return t;
  }();
  return table;
}

class ShapePropagation : public GraphPass {
 public:
  const char* name() const override { return "shape-propagation"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    int filled = 0;
    for (Node& n : graph.nodes) {
      if (n.dead || n.outputs.empty() || n.outputs[0] < 0) continue;
      if (!(passes::in_default_domain(n) || n.domain == "fogline")) continue;
      Value& out = graph.values[static_cast<size_t>(n.outputs[0])];
      if (out.type.static_shape() || out.constant) continue;
      auto rule = rules().find(n.op_type);
      if (rule == rules().end()) continue;
      // Dropout's mask and MaxPool's indices would need their own rules.
      bool extra_outputs = false;
      for (size_t i = 1; i < n.outputs.size(); ++i) extra_outputs = extra_outputs || n.outputs[i] >= 0;
      if (extra_outputs) continue;
      Shapes in;
      for (int v : n.inputs) in.push_back(passes::value_static_shape(graph, v));
      auto shape = rule->second(graph, n, in);
      if (!shape) continue;
      out.type.has_shape = true;
      out.type.dims.clear();
      for (int64_t d : *shape) out.type.dims.push_back(Dim{d, ""});
      ++filled;
    }
    return filled;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(150, ShapePropagation);

}  // namespace fogline::engine
