// matmul-scale-folding: MatMul(A, W[, bias]) with a constant 2-D W, followed by a Mul with a
// constant that scales each output column, becomes one MatMul with W's columns and the bias
// scaled: (A W + b) * g = A (W g) + b g. A Transpose may sit between the two (the column axis
// then lands elsewhere): ConvNeXt computes its MLP channels-last, transposes back to NCHW and
// multiplies by its layer scale [C, 1, 1]. Folding saves a pass over the activations. Runs
// after matmul-add-to-gemm, which moves the bias in first.
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::UseMap;

class MatMulScaleFolding : public GraphPass {
 public:
  const char* name() const override { return "matmul-scale-folding"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    UseMap uses(graph);
    int changes = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (!passes::is_op(graph.nodes[i], "MatMul")) continue;
      const Node& mm = graph.nodes[i];
      if (!passes::single_output(mm) || !mm.post_ops.empty() || mm.inputs.size() < 2 || mm.inputs.size() > 3) continue;
      const Tensor* w = passes::value_constant(graph, mm.inputs[1]);
      if (!w || w->dtype() != DataType::kFloat || w->rank() != 2) continue;
      const int64_t k = w->dim(0), n = w->dim(1);
      const int b_id = passes::input_of(mm, 2);
      const Tensor* b = passes::value_constant(graph, b_id);
      if (b_id >= 0 && (!b || b->dtype() != DataType::kFloat || b->numel() != n)) continue;
      const ValueType& a_type = graph.values[static_cast<size_t>(mm.inputs[0])].type;
      if (!a_type.has_shape || a_type.dims.size() < 2) continue;
      const size_t rank = a_type.dims.size();

      // Optional Transpose, then the Mul. `axis`: where MatMul's column axis ends up.
      int transpose = passes::sole_reader_op(graph, uses, mm.outputs[0], "Transpose");
      size_t axis = rank - 1;
      int scaled = mm.outputs[0];
      if (transpose >= 0) {
        const Node& t = graph.nodes[static_cast<size_t>(transpose)];
        const std::vector<int64_t> perm = t.attrs.get_ints("perm");
        if (perm.size() != rank) continue;
        for (size_t q = 0; q < perm.size(); ++q)
          if (perm[q] == static_cast<int64_t>(rank - 1)) axis = q;
        scaled = t.outputs[0];
      }
      const int j = passes::sole_reader_op(graph, uses, scaled, "Mul");
      if (j < 0) continue;
      const Node& mul = graph.nodes[static_cast<size_t>(j)];
      if (mul.opset < 7 || mul.inputs.size() != 2) continue;
      const int other = mul.inputs[0] == scaled ? mul.inputs[1] : mul.inputs[0];
      const Tensor* g = passes::value_constant(graph, other);
      if (other == scaled || !g || g->dtype() != DataType::kFloat || !passes::varies_only_along(*g, rank, axis, n))
        continue;

      auto new_w = Tensor::allocate(DataType::kFloat, {k, n});
      auto new_b = Tensor::allocate(DataType::kFloat, {n});
      if (!new_w.is_ok() || !new_b.is_ok()) continue;
      const float* scale = g->data<float>();
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c = 0; c < n; ++c) new_w->data<float>()[r * n + c] = w->data<float>()[r * n + c] * scale[c];
      for (int64_t c = 0; c < n; ++c) new_b->data<float>()[c] = (b ? b->data<float>()[c] : 0.0f) * scale[c];

      Node fused = mm;
      fused.inputs = {mm.inputs[0],
                      passes::add_constant(graph, graph.values[static_cast<size_t>(mm.inputs[1])].name + "_scaled",
                                           std::move(new_w).value())};
      // Without a bias, b g is zero: no bias input.
      if (b) fused.inputs.push_back(passes::add_constant(graph, mm.name + "_scaled_bias", std::move(new_b).value()));
      if (transpose < 0) {
        fused.outputs = {mul.outputs[0]};
        passes::replace_with_fused(graph, uses, static_cast<int>(i), j, std::move(fused));
      } else {
        // The MatMul stays where it is; the Transpose moves to the Mul's slot and writes its output.
        for (int in : fused.inputs) uses.add_reader(in, static_cast<int>(i));
        graph.nodes[i] = std::move(fused);
        Node moved = graph.nodes[static_cast<size_t>(transpose)];
        moved.outputs = {mul.outputs[0]};
        passes::replace_with_fused(graph, uses, transpose, j, std::move(moved));
      }
      ++changes;
    }
    return changes;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(260, MatMulScaleFolding);

}  // namespace fogline::engine
