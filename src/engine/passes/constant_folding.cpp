// constant-folding: runs, once at load time, every deterministic node whose inputs are all
// constants, and turns its outputs into constants. Shape and Size of a value whose inferred
// shape is fully static fold too, so the usual exporter chains over static shapes
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) collapse and the kernels that consume
// them (Reshape, Expand, ...) see their shape inputs at build time.
//
// The node runs on the reference kernel, exactly as it would at run time. Anything that fails
// (no kernel, a kernel error, an output too large to keep) leaves the node alone: it will then
// fail or run at run time as it would have without this pass.
#include <omp.h>

#include <algorithm>
#include <set>

#include "engine/kernel.h"
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

// Folded outputs are kept for the session's lifetime; bigger ones stay computed at run time.
constexpr uint64_t kMaxFoldedBytes = uint64_t{64} << 20;

bool too_big(DataType dtype, const Shape& shape) {
  auto n = checked_numel(shape);
  if (!n.is_ok()) return true;
  const uint64_t elem = dtype_size(dtype);
  return elem == 0 || (*n > 0 && static_cast<uint64_t>(*n) > kMaxFoldedBytes / elem);
}

class FoldingAllocator : public OutputAllocator {
 public:
  Result<Tensor> allocate(int, DataType dtype, const Shape& shape) override {
    if (too_big(dtype, shape)) {
      return resource_exhausted("folded output " + shape_to_string(shape) + " is too large");
    }
    return Tensor::allocate(dtype, shape);
  }
};

// Ops whose result is not a function of their inputs, or that we never want to freeze.
bool nondeterministic(const std::string& op) {
  static const std::set<std::string> kOps = {
      "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli",
      "Multinomial",  "Dropout"};  // Dropout: random when training_mode is set
  return kOps.count(op) != 0;
}

bool has_subgraph(const Node& node) {
  for (const auto& [name, attr] : node.attrs.items()) {
    if (attr.g || !attr.graphs.empty()) return true;
  }
  return !node.implicit_inputs.empty();
}

bool all_outputs_kept(const Node& node) {
  for (int o : node.outputs) {
    if (o >= 0) return true;
  }
  return false;
}

class ConstantFolding : public GraphPass {
 public:
  const char* name() const override { return "constant-folding"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    // Inferred static shapes are certain when every graph input's shape is (the session
    // checks inputs against them). With a symbolic input dim, an intermediate's static
    // shape may come from an exporter's value_info traced at one batch size, so then only
    // graph inputs' own shapes are used.
    std::vector<char> shape_known(graph.values.size(), 0);
    bool all_static = true;
    for (int in : graph.inputs) {
      const bool known = graph.values[static_cast<size_t>(in)].type.static_shape().has_value();
      shape_known[static_cast<size_t>(in)] = known;
      all_static = all_static && known;
    }
    if (all_static) std::fill(shape_known.begin(), shape_known.end(), 1);
    std::vector<Tensor> slots(graph.values.size());
    int folded = 0;
    for (Node& node : graph.nodes) {
      if (node.dead || !passes::in_default_domain(node) || nondeterministic(node.op_type) ||
          has_subgraph(node) || !all_outputs_kept(node) || !node.post_ops.empty()) {
        continue;
      }
      if (fold(graph, node, shape_known, slots)) {
        node.dead = true;
        ++folded;
      }
    }
    return folded;
  }

 private:
  // Gathers the node's inputs: constants, or for Shape/Size a stand-in tensor carrying only
  // the statically known shape (those kernels never read the data).
  static bool gather_inputs(const Graph& graph, const Node& node, const std::vector<char>& shape_known,
                            std::vector<Tensor>& stand_ins, std::vector<const Tensor*>& inputs) {
    const bool shape_only = node.op_type == "Shape" || node.op_type == "Size";
    bool any = false;
    stand_ins.reserve(node.inputs.size());
    for (int in : node.inputs) {
      if (in < 0) {
        inputs.push_back(nullptr);
        continue;
      }
      any = true;
      const Value& v = graph.values[static_cast<size_t>(in)];
      if (v.constant) {
        inputs.push_back(&*v.constant);
        continue;
      }
      auto shape = v.type.static_shape();
      if (!shape_only || !shape || !shape_known[static_cast<size_t>(in)]) return false;
      DataType dt = v.type.dtype == DataType::kUndefined ? DataType::kFloat : v.type.dtype;
      stand_ins.push_back(Tensor::view(dt, *shape, nullptr, nullptr));
      inputs.push_back(&stand_ins.back());
    }
    return any;
  }

  static bool fold(Graph& graph, Node& node, const std::vector<char>& shape_known, std::vector<Tensor>& slots) {
    std::vector<Tensor> stand_ins;
    std::vector<const Tensor*> inputs;
    if (!gather_inputs(graph, node, shape_known, stand_ins, inputs)) return false;
    // Declared output sizes let us skip giant folds (ConstantOfShape, Expand, Tile) up front.
    for (int o : node.outputs) {
      if (o < 0) continue;
      const Value& v = graph.values[static_cast<size_t>(o)];
      auto s = v.type.static_shape();
      if (s && v.type.dtype != DataType::kUndefined && too_big(v.type.dtype, *s)) return false;
    }
    auto kernel = create_kernel(KernelBuildInfo(node, graph), /*reference_only=*/true);
    if (!kernel.is_ok()) return false;
    FoldingAllocator allocator;
    Status st;
    {
      KernelContext ctx(node, inputs, &slots, &allocator, omp_get_max_threads(), nullptr);
      st = (*kernel)->run(ctx);
    }
    bool ok = st.is_ok();
    for (int o : node.outputs) {
      if (o < 0) continue;
      const Tensor& t = slots[static_cast<size_t>(o)];
      if (!t.defined() || too_big(t.dtype(), t.shape())) ok = false;
    }
    // A kernel may hand back a view of memory it does not own (never with the heap
    // allocator, but be sure): constants must own their bytes.
    for (int o : node.outputs) {
      if (!ok || o < 0) continue;
      Tensor& t = slots[static_cast<size_t>(o)];
      if (t.owner()) continue;
      auto copy = t.clone();
      if (copy.is_ok()) {
        t = std::move(copy).value();
      } else {
        ok = false;
      }
    }
    for (int o : node.outputs) {
      if (!ok || o < 0) continue;
      Tensor t = std::move(slots[static_cast<size_t>(o)]);
      Value& v = graph.values[static_cast<size_t>(o)];
      v.type.dtype = t.dtype();
      v.type.has_shape = true;
      v.type.dims.clear();
      for (int64_t d : t.shape()) v.type.dims.push_back(Dim{d, ""});
      v.constant = std::move(t);
    }
    for (int o : node.outputs) {
      if (o >= 0) slots[static_cast<size_t>(o)] = Tensor();
    }
    return ok;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(100, ConstantFolding);

}  // namespace fogline::engine
