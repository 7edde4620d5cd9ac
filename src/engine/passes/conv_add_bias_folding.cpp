// conv-add-bias-folding: Conv followed by an Add of a constant per-output-channel vector
// (shape [M,1,1], [1,M,1,1], ...) becomes one Conv whose bias includes it. Older exporters
// (CNTK, Caffe converters; mnist-8) write the bias that way, and the broadcasting Add would
// otherwise sit between the Conv and its activation and block fusing it.
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::UseMap;

class ConvAddBiasFolding : public GraphPass {
 public:
  const char* name() const override { return "conv-add-bias-folding"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    UseMap uses(graph);
    int changes = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (!passes::is_op(graph.nodes[i], "Conv")) continue;
      const Node& conv = graph.nodes[i];
      if (!passes::single_output(conv) || !conv.post_ops.empty() || conv.inputs.size() < 2) continue;
      const Tensor* w = passes::value_constant(graph, conv.inputs[1]);
      if (!w || w->dtype() != DataType::kFloat || w->rank() < 3 || w->dim(0) <= 0) continue;
      const int64_t m = w->dim(0);
      const int b_id = passes::input_of(conv, 2);
      const Tensor* b = passes::value_constant(graph, b_id);
      if (b_id >= 0 && (!b || b->dtype() != DataType::kFloat || b->rank() != 1 || b->dim(0) != m)) continue;

      const int y = conv.outputs[0];
      const auto& readers = uses.readers(y);
      if (readers.size() != 1 || !uses.only_reader(y, readers[0])) continue;
      const int j = readers[0];
      const Node& add = graph.nodes[static_cast<size_t>(j)];
      if (!passes::is_op(add, "Add") || add.opset < 7 || !passes::single_output(add) || add.inputs.size() != 2) continue;
      const int other = add.inputs[0] == y ? add.inputs[1] : add.inputs[0];
      const Tensor* c = passes::value_constant(graph, other);
      if (other == y || !c || c->dtype() != DataType::kFloat) continue;
      // Adds c[k] to every element of channel k (output axis 1).
      if (!passes::varies_only_along(*c, static_cast<size_t>(w->rank()), 1, m)) continue;

      auto new_b = Tensor::allocate(DataType::kFloat, {m});
      if (!new_b.is_ok()) continue;
      for (int64_t k = 0; k < m; ++k) {
        new_b->data<float>()[k] = (b ? b->data<float>()[k] : 0.0f) + c->data<float>()[k];
      }
      passes::fold_into_conv(graph, uses, static_cast<int>(i), j, std::nullopt, std::move(new_b).value(), "add_folded");
      ++changes;
    }
    return changes;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(210, ConvAddBiasFolding);

}  // namespace fogline::engine
