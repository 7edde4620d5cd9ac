// SequenceMap: runs `body` once per position of input_sequence; additional inputs that are
// sequences (of the same length) contribute their element at that position, tensors are fed
// whole every time. Each body output is gathered into one output sequence.
#include "engine/ops/control/subgraph_util.h"
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SequenceMapKernel : public Kernel {
 public:
  explicit SequenceMapKernel(std::shared_ptr<Graph> body) : body_(std::move(body)) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.subgraphs()) return internal_error("SequenceMap has no subgraph runner");
    FOGLINE_ASSIGN_OR_RETURN(const TensorSequence* first, sequence::sequence_input(ctx, 0, "input_sequence"));
    const size_t n = first->tensors.size();
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      const Tensor* t = ctx.input(i);
      if (!t) return invalid_argument("additional input " + std::to_string(i) + " is missing");
      if (const TensorSequence* s = as_sequence(*t); s && s->tensors.size() != n) {
        return invalid_argument("input " + std::to_string(i) + " is a sequence of length " +
                                std::to_string(s->tensors.size()) + ", input_sequence has " + std::to_string(n));
      }
      if (as_optional(*t)) return invalid_argument("input " + std::to_string(i) + " is an optional");
    }
    const size_t outs = static_cast<size_t>(ctx.num_outputs());
    std::vector<TensorSequence> results(outs);
    for (size_t o = 0; o < outs; ++o) {
      DataType dtype;
      control::declared_shape(*body_, static_cast<int>(o), &dtype);
      results[o].elem_type = dtype;
    }
    for (size_t k = 0; k < n; ++k) {
      std::vector<Tensor> feeds;
      for (int i = 0; i < ctx.num_inputs(); ++i) {
        const Tensor& t = *ctx.input(i);
        const TensorSequence* s = as_sequence(t);
        feeds.push_back(s ? s->tensors[k] : t);
      }
      auto got = ctx.subgraphs()->run(*body_, feeds);
      if (!got.is_ok()) return got.status().with_context("SequenceMap position " + std::to_string(k));
      for (size_t o = 0; o < outs; ++o) {
        FOGLINE_ASSIGN_OR_RETURN(Tensor kept, sequence::keep_element((*got)[o]));
        results[o].elem_type = kept.dtype();
        results[o].tensors.push_back(std::move(kept));
      }
    }
    for (size_t o = 0; o < outs; ++o) {
      FOGLINE_TRY(ctx.set_output(static_cast<int>(o), box_sequence(std::move(results[o]))));
    }
    return Status::ok();
  }

 private:
  std::shared_ptr<Graph> body_;
};

Result<std::unique_ptr<Kernel>> make_sequence_map(const KernelBuildInfo& info) {
  auto body = info.attrs().get_graph("body");
  if (!body) return invalid_argument("SequenceMap needs a graph attribute 'body'");
  if (static_cast<int>(body->inputs.size()) != info.num_inputs()) {
    return invalid_argument("SequenceMap body takes " + std::to_string(body->inputs.size()) +
                            " inputs, the node has " + std::to_string(info.num_inputs()));
  }
  if (static_cast<int>(body->outputs.size()) != info.num_outputs()) {
    return invalid_argument("SequenceMap body gives " + std::to_string(body->outputs.size()) +
                            " outputs, the node has " + std::to_string(info.num_outputs()));
  }
  return std::unique_ptr<Kernel>(new SequenceMapKernel(std::move(body)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SequenceMap", 17, 1000, Backend::kReference, make_sequence_map);

}  // namespace fogline::engine::ops
