// channel-shuffle: Reshape [N, C, ...] -> [N, g, C/g, ...], Transpose swapping those two
// axes, Reshape back to [N, C, ...] (how ShuffleNet's channel shuffle exports) becomes one
// fogline.ChannelShuffle(group = g). One op instead of three copies, and one that oneDNN runs in
// NHWC, so the region around it (1x1 convs, depthwise convs, concats) stays NHWC.
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::UseMap;

class ChannelShufflePass : public GraphPass {
 public:
  const char* name() const override { return "channel-shuffle"; }

  Result<int> apply(Graph& graph, const PassContext& ctx) const override {
    if (!passes::kernel_available("fogline", "ChannelShuffle", 1, ctx.reference_only)) return 0;
    UseMap uses(graph);
    int changes = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (!passes::is_op(graph.nodes[i], "Reshape") || !passes::single_output(graph.nodes[i])) continue;
      const Node& split = graph.nodes[i];
      const int x = split.inputs.empty() ? -1 : split.inputs[0];
      auto xs = passes::value_static_shape(graph, x);
      // (Shapes computed in the graph are static by now: shape-propagation runs first.)
      auto ss = passes::value_static_shape(graph, split.outputs[0]);
      // [N, C, rest...] -> [N, g, C/g, rest...]
      if (!xs || !ss || xs->size() < 2 || ss->size() != xs->size() + 1) continue;
      const int64_t n = (*xs)[0], c = (*xs)[1], g = (*ss)[1];
      if ((*ss)[0] != n || g <= 1 || c % g != 0 || (*ss)[2] != c / g) continue;
      if (!std::equal(xs->begin() + 2, xs->end(), ss->begin() + 3)) continue;
      const int t = passes::sole_reader_op(graph, uses, split.outputs[0], "Transpose");
      if (t < 0) continue;
      std::vector<int64_t> want_perm{0, 2, 1};
      for (size_t d = 3; d < ss->size(); ++d) want_perm.push_back(static_cast<int64_t>(d));
      if (graph.nodes[static_cast<size_t>(t)].attrs.get_ints("perm") != want_perm) continue;
      const int merge = passes::sole_reader_op(graph, uses, graph.nodes[static_cast<size_t>(t)].outputs[0], "Reshape");
      if (merge < 0) continue;
      const Node& back = graph.nodes[static_cast<size_t>(merge)];
      auto ys = passes::value_static_shape(graph, back.outputs[0]);
      if (!ys || *ys != *xs) continue;

      Node shuffle;
      shuffle.name = back.name;
      shuffle.op_type = "ChannelShuffle";
      shuffle.domain = "fogline";
      shuffle.opset = 1;
      shuffle.attrs.set_int("group", g);
      shuffle.inputs = {x};
      shuffle.outputs = {back.outputs[0]};
      graph.nodes[static_cast<size_t>(t)].dead = true;
      passes::replace_with_fused(graph, uses, static_cast<int>(i), merge, std::move(shuffle));
      ++changes;
    }
    return changes;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(330, ChannelShufflePass);

}  // namespace fogline::engine
