// Loop: for (i = 0; (M absent or i < M) && (cond absent or cond); ++i) runs the body on
// (i, cond, carried...) -> (cond, carried..., scan...). Carried values may change shape between
// iterations; each scan output must keep one shape and is stacked along a new axis 0.
#include "engine/ops/control/subgraph_util.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

class LoopKernel : public Kernel {
 public:
  LoopKernel(std::shared_ptr<Graph> body, int scans) : body_(std::move(body)), scans_(scans) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.subgraphs()) return internal_error("Loop has no subgraph runner");
    const int carried = ctx.num_inputs() - 2;
    const int scans = scans_;
    int64_t max_trips = -1;  // -1: no limit
    if (ctx.has_input(0)) {
      const Tensor& m = *ctx.input(0);
      if (m.numel() != 1 || (m.dtype() != DataType::kInt64 && m.dtype() != DataType::kInt32)) {
        return invalid_argument("Loop's M must be one int64, got " + std::string(dtype_name(m.dtype())) +
                                shape_to_string(m.shape()));
      }
      max_trips = std::max<int64_t>(0, m.value_as_int(0));
    }
    bool cond = true;
    if (ctx.has_input(1)) {
      FOGLINE_ASSIGN_OR_RETURN(cond, control::read_condition(*ctx.input(1), "Loop's cond"));
    }
    std::vector<Tensor> state;
    for (int k = 0; k < carried; ++k) {
      const Tensor* v = ctx.input(2 + k);
      if (!v) return unsupported("Loop with an absent loop-carried input is not supported");
      state.push_back(*v);
    }
    std::vector<std::vector<Tensor>> scan_parts(static_cast<size_t>(scans));
    for (int64_t i = 0; (max_trips < 0 || i < max_trips) && cond; ++i) {
      std::vector<Tensor> feeds;
      feeds.push_back(Tensor::scalar<int64_t>(i));
      feeds.push_back(Tensor::scalar<bool>(cond));
      feeds.insert(feeds.end(), state.begin(), state.end());
      auto outs = ctx.subgraphs()->run(*body_, feeds);
      if (!outs.is_ok()) return outs.status().with_context("Loop iteration " + std::to_string(i));
      if (static_cast<int>(outs->size()) != 1 + carried + scans) {
        return invalid_argument("Loop body gave " + std::to_string(outs->size()) + " outputs, expected " +
                                std::to_string(1 + carried + scans));
      }
      // Without a cond input the body's cond output is ignored (the loop runs M times).
      if (ctx.has_input(1)) {
        FOGLINE_ASSIGN_OR_RETURN(cond, control::read_condition((*outs)[0], "Loop body's cond output"));
      }
      for (int k = 0; k < carried; ++k) state[static_cast<size_t>(k)] = (*outs)[static_cast<size_t>(1 + k)];
      for (int s = 0; s < scans; ++s) {
        scan_parts[static_cast<size_t>(s)].push_back((*outs)[static_cast<size_t>(1 + carried + s)]);
      }
    }
    for (int k = 0; k < carried && k < ctx.num_outputs(); ++k) {
      FOGLINE_ASSIGN_OR_RETURN(Tensor t, control::keepable(state[static_cast<size_t>(k)]));
      FOGLINE_TRY(ctx.set_output(k, std::move(t)));
    }
    for (int s = 0; s < scans && carried + s < ctx.num_outputs(); ++s) {
      const auto& parts = scan_parts[static_cast<size_t>(s)];
      Shape shape;
      DataType dtype;
      if (parts.empty()) {
        shape = control::declared_shape(*body_, 1 + carried + s, &dtype);
      } else {
        shape = parts[0].shape();
        dtype = parts[0].dtype();
      }
      shape.insert(shape.begin(), static_cast<int64_t>(parts.size()));
      FOGLINE_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(dtype, shape));
      for (size_t i = 0; i < parts.size(); ++i) {
        FOGLINE_TRY(control::put_slice(out, 0, static_cast<int64_t>(i), parts[i],
                                       "Loop scan output " + std::to_string(s)));
      }
      FOGLINE_TRY(ctx.set_output(carried + s, std::move(out)));
    }
    return Status::ok();
  }

 private:
  std::shared_ptr<Graph> body_;
  int scans_;  // scan outputs the body makes (the node may omit trailing ones)
};

Result<std::unique_ptr<Kernel>> make_loop(const KernelBuildInfo& info) {
  auto body = info.attrs().get_graph("body");
  if (!body) return invalid_argument("Loop needs a graph attribute 'body'");
  if (info.num_inputs() < 2) return invalid_argument("Loop needs inputs M and cond (either may be empty)");
  if (!info.has_input(0) && !info.has_input(1)) {
    // Without M and cond nothing can end the loop.
    return invalid_argument("Loop with neither M nor cond never terminates");
  }
  const int carried = info.num_inputs() - 2;
  if (static_cast<int>(body->inputs.size()) != 2 + carried) {
    return invalid_argument("Loop body takes " + std::to_string(body->inputs.size()) +
                            " inputs, expected 2 + " + std::to_string(carried) + " loop-carried");
  }
  const int scans = static_cast<int>(body->outputs.size()) - 1 - carried;
  if (scans < 0 || info.num_outputs() > carried + scans) {
    return invalid_argument("Loop body gives " + std::to_string(body->outputs.size()) +
                            " outputs, expected 1 + " + std::to_string(carried) +
                            " loop-carried + scan outputs for the node's " +
                            std::to_string(info.num_outputs()) + " outputs");
  }
  return std::unique_ptr<Kernel>(new LoopKernel(std::move(body), scans));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Loop", 1, 1000, Backend::kReference, make_loop);

}  // namespace fogline::engine::ops
