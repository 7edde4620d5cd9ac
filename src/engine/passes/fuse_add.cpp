// fuse-add: Add(P(...), other) where P is a Conv / Gemm / MatMul read only by that Add and
// `other` has exactly the output's shape becomes P with a kAdd post-op: the residual
// connection of ResNet-style blocks, added while the output is still in cache. `other` is
// appended to P's inputs after all of P's own (possibly omitted) inputs, so a Conv without
// a bias never mistakes it for one.
#include <algorithm>

#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::UseMap;

// How many inputs the op itself defines; the addend goes after them.
// Fused addends go after these: Conv/Gemm's X, W, B; MatMul's A, B and the bias that
// matmul-add-to-gemm may give it.
int formal_inputs(const std::string&) { return 3; }

bool accepts_fused_add(const Node& n) {
  if (n.dead || !passes::in_default_domain(n) || !passes::single_output(n)) return false;
  return n.op_type == "Conv" || n.op_type == "Gemm" || n.op_type == "MatMul";
}

class FuseAdd : public GraphPass {
 public:
  const char* name() const override { return "fuse-add"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    UseMap uses(graph);
    int changes = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& producer = graph.nodes[i];
      if (!accepts_fused_add(producer)) continue;
      const int y = producer.outputs[0];
      if (passes::value_dtype(graph, y) != DataType::kFloat) continue;
      const auto& readers = uses.readers(y);
      if (readers.size() != 1 || !uses.only_reader(y, readers[0])) continue;
      const int j = readers[0];
      const Node& add = graph.nodes[static_cast<size_t>(j)];
      if (!passes::is_op(add, "Add") || !passes::single_output(add) || add.inputs.size() != 2) continue;
      const int other = add.inputs[0] == y ? add.inputs[1] : add.inputs[0];
      if (other == y || other < 0 || passes::value_dtype(graph, other) != DataType::kFloat) continue;
      // The same shape on all three (by number or by dimension name, so dynamic batch
      // sizes still fuse): no broadcasting hides in the fused add.
      if (!passes::same_shape(graph, y, other) || !passes::same_shape(graph, y, add.outputs[0])) continue;

      Node fused = producer;
      const size_t slot = std::max(fused.inputs.size(), static_cast<size_t>(formal_inputs(fused.op_type)));
      fused.inputs.resize(slot, -1);
      fused.inputs.push_back(other);
      PostOp p;
      p.kind = PostOp::Kind::kAdd;
      p.input = static_cast<int>(slot);
      fused.post_ops.push_back(p);
      fused.outputs = {add.outputs[0]};
      passes::replace_with_fused(graph, uses, static_cast<int>(i), j, std::move(fused));
      ++changes;
    }
    return changes;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(310, FuseAdd);

}  // namespace fogline::engine
