// quant-type-propagation: fills in the element type and (possibly symbolic) shape of the
// outputs of 8-bit ops that ONNX shape inference leaves unknown. libonnx does not know the
// com.microsoft contrib ops ONNX Runtime's quantiser writes (QLinearAdd, ...), so everything
// after the first of them, QLinearConvs included, has no type; shape-propagation only fills
// static shapes, and quantised models usually keep a symbolic batch. The onednn-layout pass
// needs these types to keep int8 activations in NHWC between the int8 ops.
//
// Only fills values whose type is unknown, never changes a known one.
#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

bool known(const Graph& g, int v) {
  if (v < 0) return false;
  const Value& val = g.values[static_cast<size_t>(v)];
  return val.constant || (val.type.has_shape && val.type.dtype != DataType::kUndefined);
}

ValueType type_of(const Graph& g, int v) {
  const Value& val = g.values[static_cast<size_t>(v)];
  if (!val.constant) return val.type;
  ValueType t;
  t.dtype = val.constant->dtype();
  t.has_shape = true;
  for (int64_t d : val.constant->shape()) t.dims.push_back(Dim{d, ""});
  return t;
}

// QLinearConv's output: [N, M, spatial...] from static spatial input dims and constant weights.
std::optional<ValueType> conv_output(const Graph& g, const Node& n) {
  const int x = passes::input_of(n, 0);
  const Tensor* w = passes::value_constant(g, passes::input_of(n, 3));
  if (!known(g, x) || !w || n.attrs.get_int("channels_last", 0) != 0) return std::nullopt;
  ValueType xt = type_of(g, x);
  if (xt.dims.size() < 3 || xt.dims.size() != static_cast<size_t>(w->rank())) return std::nullopt;
  Shape spatial;
  for (size_t i = 2; i < xt.dims.size(); ++i) {
    if (!xt.dims[i].is_static()) return std::nullopt;
    spatial.push_back(xt.dims[i].value);
  }
  std::vector<int64_t> kernel(w->shape().begin() + 2, w->shape().end());
  auto win = ops::dnnl_ops::conv_window(spatial, kernel, n.attrs.get_ints("strides"), n.attrs.get_ints("dilations"),
                                        n.attrs.get_ints("pads"), n.attrs.get_string("auto_pad", "NOTSET"), false,
                                        "QLinearConv");
  if (!win.is_ok()) return std::nullopt;
  ValueType out;
  const int y_zp = passes::input_of(n, 7);
  out.dtype = y_zp >= 0 ? passes::value_dtype(g, y_zp) : xt.dtype;
  out.has_shape = true;
  out.dims = {xt.dims[0], Dim{w->dim(0), ""}};
  for (int64_t d : win->out) out.dims.push_back(Dim{d, ""});
  return out;
}

std::optional<ValueType> infer(const Graph& g, const Node& n) {
  if (passes::in_default_domain(n) && n.op_type == "QLinearConv") return conv_output(g, n);
  if (n.domain != "com.microsoft") return std::nullopt;
  const int x = passes::input_of(n, 0);
  if (!known(g, x)) return std::nullopt;
  if (n.op_type == "QLinearAdd" || n.op_type == "QLinearMul") {
    const int b = passes::input_of(n, 3);
    if (!known(g, b) || !passes::same_shape(g, x, b)) return std::nullopt;
    return type_of(g, x);
  }
  if (n.op_type == "QLinearSigmoid" || n.op_type == "QLinearLeakyRelu") return type_of(g, x);
  if (n.op_type == "QLinearGlobalAveragePool" && n.attrs.get_int("channels_last", 0) == 0) {
    ValueType t = type_of(g, x);
    if (t.dims.size() < 3) return std::nullopt;
    for (size_t i = 2; i < t.dims.size(); ++i) t.dims[i] = Dim{1, ""};
    return t;
  }
  return std::nullopt;
}

class QuantTypePropagation : public GraphPass {
 public:
  const char* name() const override { return "quant-type-propagation"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    int filled = 0;
    for (const Node& n : graph.nodes) {  // topological order: inputs are filled first
      if (n.dead || n.op_type.rfind("QLinear", 0) != 0 || !passes::single_output(n)) continue;
      Value& out = graph.values[static_cast<size_t>(n.outputs[0])];
      if (out.constant || (out.type.has_shape && out.type.dtype != DataType::kUndefined)) continue;
      auto t = infer(graph, n);
      if (!t || t->dtype == DataType::kUndefined) continue;
      out.type = *t;
      ++filled;
    }
    return filled;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(160, QuantTypePropagation);

}  // namespace fogline::engine
