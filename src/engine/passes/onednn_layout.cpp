// onednn-layout: keeps activations in a oneDNN-friendly layout (NHWC) between consecutive
// oneDNN convolutions and pools, so that each op does not reorder NCHW <-> its preferred layout
// on the way in and out (a quarter to a third of a CNN's time on one thread).
//
// A value is tagged (Value::layout) when a layout-aware oneDNN node writes it and only
// layout-aware oneDNN nodes read it, in slots that accept a tagged operand (Conv's X and its
// fused Add, a pool's X). Every other value stays plain, so the region boundaries need no
// extra nodes: a kernel whose input or output is untagged converts it itself, as before.
// Muls by a per-channel scale (squeeze-and-excitation), Concats, Slices, channel shuffles,
// exact Resizes and standalone activations take part too, so that the region runs through
// those blocks.
// Conv, the pools and the standalone activations take part with symbolic dims too (a dynamic
// batch): their kernels build per run-time shape; the others need static shapes.
// NHWC has the same byte size as NCHW (no channel padding), so memory planning is unchanged.
//
// The 8-bit ops take part the same way (their values stay int8/uint8 in NHWC): QLinearConv
// when ops/dnnl/qlinear_conv.cpp takes it (constant quantisation parameters, int8 weights with
// zero points 0), and the com.microsoft QLinearAdd / QLinearMul (same-shape operands),
// QLinearSigmoid and QLinearGlobalAveragePool, whose layout-aware kernels are
// ops/dnnl/qlinear_elementwise.cpp and ops/dnnl/qlinear_global_average_pool.cpp, and an 8-bit
// MaxPool (ops/dnnl/pool.cpp).
//
// Only for the oneDNN kernel set (reference kernels know nothing of layouts).
#include <algorithm>
#include <limits>
#include <set>

#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/ops/dnnl/quant_params.h"
#include "engine/ops/dnnl/resize_plan.h"
#include "engine/ops/quant/quant_util.h"
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

constexpr const char* kTag = "nhwc";

bool float_rank4(const Graph& g, int value) {
  if (value < 0 || passes::value_dtype(g, value) != DataType::kFloat) return false;
  auto s = passes::value_static_shape(g, value);
  if (!s || s->size() != 4) return false;
  for (int64_t d : *s) if (d <= 0) return false;
  return true;
}

// A rank-4 float activation whose dims may be symbolic (a model exported with a dynamic batch,
// like the Model Zoo's MobileNetV2): enough for the kernels that build their primitive per
// run-time shape (Conv, pools, eltwise). Requiring static dims here left such models entirely
// in NCHW, with a reorder around every convolution (2x slower than with the layout).
bool float_rank4_dynamic(const Graph& g, int value) {
  if (value < 0 || passes::value_dtype(g, value) != DataType::kFloat) return false;
  const Value& v = g.values[static_cast<size_t>(value)];
  if (v.constant) return float_rank4(g, value);
  if (!v.type.has_shape || v.type.dims.size() != 4) return false;
  for (const Dim& d : v.type.dims) if (d.is_static() && d.value <= 0) return false;
  return true;
}

bool q8_rank4(const Graph& g, int value) {
  if (value < 0) return false;
  const DataType t = passes::value_dtype(g, value);
  if (t != DataType::kUInt8 && t != DataType::kInt8) return false;
  // Rank 4 is enough (a symbolic batch is common): the kernels build per run-time shape.
  const Value& v = g.values[static_cast<size_t>(value)];
  if (v.constant) return false;
  if (!v.type.has_shape || v.type.dims.size() != 4) return false;
  for (const Dim& d : v.type.dims) if (d.is_static() && d.value <= 0) return false;
  return true;
}

// The 8-bit ops' slots (see the header), or empty.
std::vector<int> quant_layout_slots(const Graph& g, const Node& n) {
  if (n.dead || !passes::single_output(n) || !q8_rank4(g, n.outputs[0]) || !q8_rank4(g, passes::input_of(n, 0))) return {};
  if (n.op_type == "QLinearConv" && passes::in_default_domain(n)) {
    if (n.attrs.get_int("channels_last", 0) != 0 || !ops::quant::clamp_bounds(n.post_ops).is_ok()) return {};
    const Tensor* w = passes::value_constant(g, passes::input_of(n, 3));
    if (!w || w->rank() != 4) return {};
    const int b = passes::input_of(n, 8);
    if (b >= 0 && passes::value_dtype(g, b) != DataType::kInt32) return {};
    if (!ops::dnnl_ops::read_quant_params(KernelBuildInfo(n, g), 0).is_ok()) return {};
    return {0};
  }
  if (n.domain != "com.microsoft") return {};
  if (n.op_type == "QLinearAdd" || n.op_type == "QLinearMul") {
    const int a = passes::input_of(n, 0), b = passes::input_of(n, 3);
    if (!q8_rank4(g, b) || passes::value_dtype(g, a) != passes::value_dtype(g, b)) return {};
    if (!passes::same_shape(g, a, b) || !passes::same_shape(g, a, n.outputs[0])) return {};
    return {0, 3};
  }
  if (n.op_type == "QLinearGlobalAveragePool" && n.attrs.get_int("channels_last", 0) == 0) return {0};
  if (n.op_type == "QLinearSigmoid") return {0};
  return {};
}

// Standalone activations the oneDNN eltwise kernel takes in any layout (ops/dnnl/eltwise.cpp);
// Clip only with constant, ordered bounds, as that kernel requires.
bool is_region_eltwise(const Graph& g, const Node& n) {
  static const std::set<std::string> kOps{"Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Exp",
                                          "Log", "Sqrt", "Abs", "Neg"};
  if (kOps.count(n.op_type)) return n.opset >= 6 && n.inputs.size() == 1;
  if (n.op_type == "HardSwish") return n.inputs.size() == 1;
  if (n.op_type != "Clip" || n.opset < 11) return false;
  float bounds[2] = {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
  for (size_t i = 1; i < n.inputs.size() && i <= 2; ++i) {
    if (n.inputs[i] < 0) continue;
    const Tensor* t = passes::value_constant(g, n.inputs[i]);
    if (!t || t->dtype() != DataType::kFloat || t->numel() != 1) return false;
    bounds[i - 1] = t->data<float>()[0];
  }
  return bounds[0] <= bounds[1];
}

// Input slots of `n` that may read a tagged value, or empty when the node cannot take part.
// The conditions mirror what makes the oneDNN kernel decline at load time: the kernel must
// certainly be the oneDNN one, since only it reads the tags.
std::vector<int> layout_slots(const Graph& g, const Node& n) {
  if (n.op_type.rfind("QLinear", 0) == 0) return quant_layout_slots(g, n);
  if (n.op_type == "MaxPool" && passes::in_default_domain(n) && passes::single_output(n) && !n.dead &&
      q8_rank4(g, passes::input_of(n, 0)) && q8_rank4(g, n.outputs[0]) && !n.attrs.get_ints("kernel_shape").empty()) {
    return {0};  // 8-bit MaxPool between QLinearConvs (ops/dnnl/pool.cpp)
  }
  const bool ours = n.domain == "fogline";  // the engine's own ops (channel-shuffle pass)
  if (n.dead || !(passes::in_default_domain(n) || ours) || n.outputs.empty() ||
      !float_rank4_dynamic(g, n.outputs[0]))
    return {};
  for (size_t i = 1; i < n.outputs.size(); ++i) if (n.outputs[i] >= 0) return {};  // MaxPool Indices
  if (!float_rank4_dynamic(g, passes::input_of(n, 0))) return {};
  // Conv, the pools and the eltwise ops build per run-time shape; the ops below them read
  // static shapes here, so they take part only when those are known.
  const bool static_dims = float_rank4(g, n.outputs[0]) && float_rank4(g, passes::input_of(n, 0));
  if (n.op_type == "Conv") {
    const Tensor* w = passes::value_constant(g, passes::input_of(n, 1));
    if (!w || w->dtype() != DataType::kFloat || w->rank() != 4) return {};
    const int b = passes::input_of(n, 2);
    if (b >= 0 && passes::value_dtype(g, b) != DataType::kFloat) return {};
    // A post-op chain oneDNN cannot express sends the node to the reference kernel.
    if (!ops::dnnl_ops::map_post_ops(n.post_ops, dnnl::memory::desc()).is_ok()) return {};
    std::vector<int> slots{0};
    for (const PostOp& p : n.post_ops) {
      if (p.kind != PostOp::Kind::kAdd) continue;
      if (!passes::same_shape(g, passes::input_of(n, static_cast<size_t>(p.input)), n.outputs[0])) return {};
      slots.push_back(p.input);
    }
    if (slots.size() > 2) return {};  // the kernel takes one fused Add's operand in a layout
    return slots;
  }
  if (n.op_type == "MaxPool" || n.op_type == "AveragePool") {
    if (n.attrs.get_ints("kernel_shape").empty()) return {};
    if (n.op_type == "AveragePool") {
      if (n.attrs.get_int("count_include_pad", 0) != 0 && n.attrs.get_int("ceil_mode", 0) != 0) return {};
      for (int64_t d : n.attrs.get_ints("dilations")) if (d != 1) return {};
    }
    return {0};
  }
  if (n.op_type == "GlobalAveragePool" || n.op_type == "GlobalMaxPool") return {0};
  if (is_region_eltwise(g, n)) return {0};  // ops/dnnl/eltwise.cpp
  if (!static_dims) return {};
  if (n.op_type == "ChannelShuffle" && n.domain == "fogline") return {0};  // ops/dnnl/channel_shuffle.cpp
  if (n.op_type == "Resize") {
    // ops/dnnl/resize.cpp, exactly when its plan says oneDNN computes what ONNX asks.
    auto in = passes::value_static_shape(g, n.inputs[0]);
    const Tensor* scales = passes::value_constant(g, passes::input_of(n, 2));
    const Tensor* sizes = passes::value_constant(g, passes::input_of(n, 3));
    if ((passes::input_of(n, 2) >= 0 && !scales) || (passes::input_of(n, 3) >= 0 && !sizes)) return {};
    return ops::dnnl_ops::plan_dnnl_resize(n.attrs, n.opset, *in, scales, sizes).is_ok() ? std::vector<int>{0}
                                                                                        : std::vector<int>{};
  }
  if (n.op_type == "Slice" && n.opset >= 10) {
    // ops/dnnl/slice.cpp: constant parameters with unit steps.
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      const Tensor* t = passes::value_constant(g, n.inputs[i]);
      if (n.inputs[i] >= 0 && !t) return {};
      if (i == 4 && t) {
        for (int64_t k = 0; k < t->numel(); ++k)
          if (t->value_as_int(k) != 1) return {};
      }
    }
    return n.inputs.size() >= 3 ? std::vector<int>{0} : std::vector<int>{};
  }
  if (n.op_type == "Concat" && n.opset >= 4) {
    // Along channels (ops/dnnl/concat.cpp); every input is a rank-4 float with known dims.
    const int64_t axis = n.attrs.get_int("axis", 1);
    if (axis != 1 && axis != -3) return {};
    std::vector<int> slots;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (!float_rank4(g, n.inputs[i])) return {};
      slots.push_back(static_cast<int>(i));
    }
    return slots;
  }
  if (n.op_type == "Mul" && n.opset >= 7 && n.inputs.size() == 2) {
    // A per-channel scale (squeeze-and-excitation): ops/dnnl/channel_scale.cpp.
    for (int big = 0; big < 2; ++big) {
      const int x = n.inputs[static_cast<size_t>(big)], sc = n.inputs[static_cast<size_t>(1 - big)];
      if (!float_rank4(g, x) || !float_rank4(g, sc) || x == sc) continue;
      Shape xs = *passes::value_static_shape(g, x), ss = *passes::value_static_shape(g, sc);
      if (xs != *passes::value_static_shape(g, n.outputs[0]) || xs[2] * xs[3] <= 1) continue;
      if ((ss[0] == xs[0] || ss[0] == 1) && ss[1] == xs[1] && ss[2] == 1 && ss[3] == 1) return {big};
    }
    return {};
  }
  return {};
}

class OnednnLayout : public GraphPass {
 public:
  const char* name() const override { return "onednn-layout"; }

  Result<int> apply(Graph& graph, const PassContext& ctx) const override {
    if (ctx.reference_only) return 0;
    std::vector<std::vector<int>> slots(graph.nodes.size());
    for (size_t i = 0; i < graph.nodes.size(); ++i) slots[i] = layout_slots(graph, graph.nodes[i]);
    passes::UseMap uses(graph);
    int tagged = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (slots[i].empty()) continue;
      const int out = graph.nodes[i].outputs[0];
      if (uses.is_graph_output(out) || uses.readers(out).empty()) continue;
      bool ok = true;
      for (int r : uses.readers(out)) {
        const Node& reader = graph.nodes[static_cast<size_t>(r)];
        const auto& allowed = slots[static_cast<size_t>(r)];
        // Every slot the reader reads the value through must accept a tagged operand.
        for (size_t s = 0; s < reader.inputs.size() && ok; ++s) {
          if (reader.inputs[s] != out) continue;
          ok = std::find(allowed.begin(), allowed.end(), static_cast<int>(s)) != allowed.end();
        }
        for (int imp : reader.implicit_inputs) ok = ok && imp != out;
        if (!ok) break;
      }
      if (!ok) continue;
      graph.values[static_cast<size_t>(out)].layout = kTag;
      ++tagged;
    }
    return tagged;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(1100, OnednnLayout);

}  // namespace fogline::engine
