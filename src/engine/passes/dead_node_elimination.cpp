// Removes nodes none of whose outputs reach a graph output, and frees the constants nothing
// reads any more (the weights that folding replaced by rescaled copies). Runs last so that it
// also sweeps what folding and fusion left behind.
#include "engine/passes/pass.h"

namespace fogline::engine {
namespace {

class DeadNodeElimination : public GraphPass {
 public:
  const char* name() const override { return "dead-node-elimination"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    std::vector<char> needed(graph.values.size(), 0);
    for (int o : graph.outputs) needed[static_cast<size_t>(o)] = 1;
    int removed = 0;
    for (size_t k = graph.nodes.size(); k-- > 0;) {
      Node& node = graph.nodes[k];
      bool live = false;
      for (int out : node.outputs) live = live || (out >= 0 && needed[static_cast<size_t>(out)]);
      if (!live) {
        if (!node.dead) ++removed;
        node.dead = true;
        continue;
      }
      for (int in : node.inputs) {
        if (in >= 0) needed[static_cast<size_t>(in)] = 1;
      }
      for (int in : node.implicit_inputs) needed[static_cast<size_t>(in)] = 1;
    }
    for (size_t v = 0; v < graph.values.size(); ++v) {
      Value& value = graph.values[v];
      if (!needed[v] && value.constant && value.producer < 0) {
        value.constant.reset();
        ++removed;
      }
    }
    return removed;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(1000, DeadNodeElimination);

}  // namespace fogline::engine
