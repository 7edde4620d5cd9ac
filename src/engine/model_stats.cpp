#include "engine/model_stats.h"

#include <set>

#include "engine/kernel.h"

namespace fogline::engine {
namespace {

std::optional<Shape> shape_of(const Graph& g, int id) {
  if (id < 0) return std::nullopt;
  const Value& v = g.values[static_cast<size_t>(id)];
  if (v.constant) return v.constant->shape();
  return v.type.static_shape();
}

// FLOPs of one node, or -1 when its shapes are unknown.
int64_t node_flops(const Graph& g, const Node& n) {
  const bool conv = n.op_type == "Conv" || n.op_type == "QLinearConv" || n.op_type == "ConvInteger";
  if (conv || n.op_type == "ConvTranspose") {
    int w_index = n.op_type == "QLinearConv" ? 3 : 1;
    auto w = shape_of(g, n.inputs.size() > static_cast<size_t>(w_index) ? n.inputs[w_index] : -1);
    auto y = shape_of(g, n.outputs.empty() ? -1 : n.outputs[0]);
    auto x = shape_of(g, n.inputs.empty() ? -1 : n.inputs[0]);
    if (!w || !y || !x || w->size() < 3) return -1;
    int64_t kernel = 1;
    for (size_t i = 1; i < w->size(); ++i) kernel *= (*w)[i];  // Cin/group * kh * kw
    if (conv) return 2 * numel(*y) * kernel;
    return 2 * numel(*x) * kernel;  // ConvTranspose: every input pixel scatters a kernel
  }
  if (n.op_type == "Gemm" || n.op_type == "MatMul" || n.op_type == "QLinearMatMul" ||
      n.op_type == "MatMulInteger") {
    auto a = shape_of(g, n.inputs.empty() ? -1 : n.inputs[0]);
    auto y = shape_of(g, n.outputs.empty() ? -1 : n.outputs[0]);
    if (!a || !y || a->empty()) return -1;
    int64_t k = a->back();
    if (n.op_type == "Gemm" && n.attrs.get_int("transA", 0) && a->size() == 2) k = (*a)[0];
    return 2 * numel(*y) * k;
  }
  if (n.op_type == "GRU" || n.op_type == "LSTM" || n.op_type == "RNN") {
    // Every step multiplies the input by W and the state by R, for every gate and direction:
    // 2 * dirs * steps * batch * gates*hidden * (input + hidden). Elementwise gate maths is
    // left out, as for activations elsewhere.
    auto x = shape_of(g, n.inputs.empty() ? -1 : n.inputs[0]);
    auto w = shape_of(g, n.inputs.size() > 1 ? n.inputs[1] : -1);
    auto r = shape_of(g, n.inputs.size() > 2 ? n.inputs[2] : -1);
    if (!x || !w || !r || x->size() != 3 || w->size() != 3 || r->size() != 3) return -1;
    const int64_t steps_times_batch = (*x)[0] * (*x)[1];
    return 2 * (*w)[0] * steps_times_batch * (*w)[1] * ((*w)[2] + (*r)[2]);
  }
  return 0;
}

}  // namespace

ModelStats compute_model_stats(const Graph& graph) {
  ModelStats s;
  for (const Value& v : graph.values) {
    if (v.constant) {
      s.parameters += v.constant->numel();
      s.parameter_bytes += static_cast<int64_t>(v.constant->nbytes());
    }
  }
  std::set<std::string> reported;
  for (const Node& n : graph.nodes) {
    std::string key = n.domain.empty() ? n.op_type : n.domain + ":" + n.op_type;
    s.op_histogram[key]++;
    int64_t f = node_flops(graph, n);
    if (f < 0) {
      s.flops_complete = false;
    } else {
      s.flops += f;
    }
    if (!KernelRegistry::global().knows(n.domain, n.op_type, n.opset)) {
      std::string line = n.op_type + " (domain " + domain_display_name(n.domain) + ", opset " +
                         std::to_string(n.opset) + ")";
      if (reported.insert(line).second) s.unsupported.push_back(line + ", first at node '" + n.name + "'");
    }
  }
  return s;
}

}  // namespace fogline::engine
