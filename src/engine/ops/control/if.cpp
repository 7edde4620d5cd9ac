// If: runs then_branch or else_branch (no inputs; they read the enclosing scope) and forwards
// the branch's outputs. The two branches may give differently shaped outputs.
#include "engine/ops/control/subgraph_util.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

class IfKernel : public Kernel {
 public:
  IfKernel(std::shared_ptr<Graph> then_branch, std::shared_ptr<Graph> else_branch)
      : then_(std::move(then_branch)), else_(std::move(else_branch)) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.has_input(0)) return invalid_argument("If needs its 'cond' input");
    FOGLINE_ASSIGN_OR_RETURN(bool cond, control::read_condition(*ctx.input(0), "If's cond"));
    if (!ctx.subgraphs()) return internal_error("If has no subgraph runner");
    const Graph& body = cond ? *then_ : *else_;
    FOGLINE_ASSIGN_OR_RETURN(std::vector<Tensor> outs, ctx.subgraphs()->run(body, {}));
    if (static_cast<int>(outs.size()) != ctx.num_outputs()) {
      return invalid_argument(std::string("If's ") + (cond ? "then" : "else") + "_branch gives " +
                              std::to_string(outs.size()) + " outputs, the node has " +
                              std::to_string(ctx.num_outputs()));
    }
    for (size_t i = 0; i < outs.size(); ++i) {
      FOGLINE_ASSIGN_OR_RETURN(Tensor t, control::keepable(outs[i]));
      FOGLINE_TRY(ctx.set_output(static_cast<int>(i), std::move(t)));
    }
    return Status::ok();
  }

 private:
  std::shared_ptr<Graph> then_, else_;
};

Result<std::unique_ptr<Kernel>> make_if(const KernelBuildInfo& info) {
  auto then_branch = info.attrs().get_graph("then_branch");
  auto else_branch = info.attrs().get_graph("else_branch");
  if (!then_branch || !else_branch) {
    return invalid_argument("If needs graph attributes 'then_branch' and 'else_branch'");
  }
  for (const auto* b : {then_branch.get(), else_branch.get()}) {
    if (!b->inputs.empty()) return invalid_argument("If branches must take no inputs");
    if (static_cast<int>(b->outputs.size()) != info.num_outputs()) {
      return invalid_argument("If branch has " + std::to_string(b->outputs.size()) +
                              " outputs, the node has " + std::to_string(info.num_outputs()));
    }
  }
  return std::unique_ptr<Kernel>(new IfKernel(std::move(then_branch), std::move(else_branch)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "If", 1, 1000, Backend::kReference, make_if);

}  // namespace fogline::engine::ops
