// matmul-add-to-gemm: MatMul(A, B) + bias with a constant 2-D B and a constant bias of N
// elements (the pattern exporters emit for Linear layers) becomes one kernel with the bias in
// its epilogue: Gemm(A, B, bias) for a 2-D A; for A of higher rank (transformers'
// [batch, seq, hidden]), which Gemm cannot take, MatMul(A, B, bias) — the engine's MatMul
// reads an optional third input as a bias over the last dimension.
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::UseMap;

class MatMulAddToGemm : public GraphPass {
 public:
  const char* name() const override { return "matmul-add-to-gemm"; }

  Result<int> apply(Graph& graph, const PassContext& ctx) const override {
    UseMap uses(graph);
    int changes = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (!passes::is_op(graph.nodes[i], "MatMul")) continue;
      const Node& mm = graph.nodes[i];
      // Gemm's C broadcasting (no `broadcast` attribute) exists from opset 7.
      if (mm.opset < 7 || !passes::single_output(mm) || !mm.post_ops.empty() || mm.inputs.size() != 2) continue;
      const int a = mm.inputs[0];
      const ValueType& a_type = graph.values[static_cast<size_t>(a)].type;
      const size_t a_rank = a_type.dims.size();
      if (!a_type.has_shape || a_rank < 2 || passes::value_dtype(graph, a) != DataType::kFloat) continue;
      // The Gemm it would write must be runnable (MatMul with a bias always is).
      if (a_rank == 2 && !passes::kernel_available("", "Gemm", mm.opset, ctx.reference_only)) continue;
      const Tensor* b = passes::value_constant(graph, mm.inputs[1]);
      if (!b || b->dtype() != DataType::kFloat || b->rank() != 2) continue;
      if (!a_type.dims.back().is_static() || a_type.dims.back().value != b->dim(0)) continue;
      const int64_t n = b->dim(1);

      const int y = mm.outputs[0];
      const auto& readers = uses.readers(y);
      if (readers.size() != 1 || !uses.only_reader(y, readers[0])) continue;
      const int j = readers[0];
      const Node& add = graph.nodes[static_cast<size_t>(j)];
      if (!passes::is_op(add, "Add") || add.opset < 7 || !passes::single_output(add) || add.inputs.size() != 2) continue;
      const int bias = add.inputs[0] == y ? add.inputs[1] : add.inputs[0];
      if (bias == y) continue;
      const Tensor* c = passes::value_constant(graph, bias);
      // [N] or [1, N]: broadcast along rows only, so Add's result keeps MatMul's [M, N] shape.
      const bool row = c && c->dtype() == DataType::kFloat &&
                       ((c->rank() == 1 && c->dim(0) == n) || (c->rank() == 2 && c->dim(0) == 1 && c->dim(1) == n));
      if (!row) continue;

      Node fused;
      fused.name = mm.name;
      fused.op_type = a_rank == 2 ? "Gemm" : "MatMul";
      fused.domain = "";
      fused.opset = mm.opset;
      fused.inputs = {a, mm.inputs[1], bias};
      fused.outputs = {add.outputs[0]};
      passes::replace_with_fused(graph, uses, static_cast<int>(i), j, std::move(fused));
      ++changes;
    }
    return changes;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(250, MatMulAddToGemm);

}  // namespace fogline::engine
