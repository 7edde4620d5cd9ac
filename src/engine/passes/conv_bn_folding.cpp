// conv-bn-folding: Conv followed by an inference BatchNormalization becomes one Conv.
//   BN(y) = (y - mean) * s + bias with s = scale / sqrt(var + epsilon), per output channel, so
//   BN(Conv(x, W) + B) = Conv(x, W * s) + ((B - mean) * s + bias).
// New weight and bias constants are made (in double, then rounded once) rather than editing
// the old ones, which other nodes may share.
#include <cmath>

#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::UseMap;

// A constant float32 vector of exactly `n` elements (shape [n]), or null.
const Tensor* channel_vector(const Graph& g, int value, int64_t n) {
  const Tensor* t = passes::value_constant(g, value);
  if (!t || t->dtype() != DataType::kFloat || t->rank() != 1 || t->dim(0) != n) return nullptr;
  return t;
}

bool inference_batch_norm(const Node& bn) {
  if (!passes::single_output(bn) || bn.inputs.size() != 5) return false;
  if (bn.attrs.get_int("training_mode", 0) != 0) return false;
  if (bn.opset < 9 && bn.attrs.get_int("spatial", 1) != 1) return false;
  return true;
}

class ConvBnFolding : public GraphPass {
 public:
  const char* name() const override { return "conv-bn-folding"; }

  Result<int> apply(Graph& graph, const PassContext&) const override {
    UseMap uses(graph);
    int changes = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (!passes::is_op(graph.nodes[i], "Conv")) continue;
      const Node& conv = graph.nodes[i];
      if (!passes::single_output(conv) || !conv.post_ops.empty() || conv.inputs.size() < 2) continue;
      const int y = conv.outputs[0];
      const auto& readers = uses.readers(y);
      if (readers.size() != 1 || !uses.only_reader(y, readers[0])) continue;
      const int j = readers[0];
      const Node& bn = graph.nodes[static_cast<size_t>(j)];
      if (!passes::is_op(bn, "BatchNormalization") || bn.inputs[0] != y || !inference_batch_norm(bn)) continue;

      const Tensor* w = passes::value_constant(graph, conv.inputs[1]);
      if (!w || w->dtype() != DataType::kFloat || w->rank() < 3 || w->dim(0) <= 0) continue;
      const int64_t m = w->dim(0);
      const int b_id = passes::input_of(conv, 2);
      const Tensor* b = b_id >= 0 ? channel_vector(graph, b_id, m) : nullptr;
      if (b_id >= 0 && !b) continue;
      const Tensor* scale = channel_vector(graph, bn.inputs[1], m);
      const Tensor* shift = channel_vector(graph, bn.inputs[2], m);
      const Tensor* mean = channel_vector(graph, bn.inputs[3], m);
      const Tensor* var = channel_vector(graph, bn.inputs[4], m);
      if (!scale || !shift || !mean || !var) continue;
      const double eps = bn.attrs.get_float("epsilon", 1e-5f);

      auto new_w = Tensor::allocate(DataType::kFloat, w->shape());
      auto new_b = Tensor::allocate(DataType::kFloat, {m});
      if (!new_w.is_ok() || !new_b.is_ok()) continue;
      const int64_t per_channel = w->numel() / m;
      bool finite = true;
      for (int64_t c = 0; c < m; ++c) {
        const double s = scale->data<float>()[c] / std::sqrt(static_cast<double>(var->data<float>()[c]) + eps);
        finite = finite && std::isfinite(s);
        const float* src = w->data<float>() + c * per_channel;
        float* dst = new_w->data<float>() + c * per_channel;
        for (int64_t k = 0; k < per_channel; ++k) dst[k] = static_cast<float>(src[k] * s);
        const double bias = b ? b->data<float>()[c] : 0.0;
        new_b->data<float>()[c] =
            static_cast<float>((bias - mean->data<float>()[c]) * s + shift->data<float>()[c]);
      }
      // A zero or negative variance makes BN produce inf/NaN in a data-dependent way; leave it.
      if (!finite) continue;

      passes::fold_into_conv(graph, uses, static_cast<int>(i), j, std::move(new_w).value(), std::move(new_b).value(),
                             "bn_folded");
      ++changes;
    }
    return changes;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(200, ConvBnFolding);

}  // namespace fogline::engine
