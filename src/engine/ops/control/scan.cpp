// Scan: runs the body once per slice of the scan inputs, threading state values through.
// Opset 8 has a leading batch axis (each batch row scanned along axis 1, with optional
// sequence_lens; rows past their length are zero); opset 9+ drops the batch axis and adds
// per-input/output axes and directions.
#include "engine/ops/control/subgraph_util.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

struct ScanConfig {
  int num_states = 0;
  int num_scan_inputs = 0;
  int num_scan_outputs = 0;
  std::vector<int64_t> in_axes, in_dirs, out_axes, out_dirs;
};

// One scan over `length` steps: final states and the per-step scan outputs.
struct ScanResult {
  std::vector<Tensor> states;
  std::vector<std::vector<Tensor>> parts;  // [scan output][step]
};

class ScanKernel : public Kernel {
 public:
  ScanKernel(std::shared_ptr<Graph> body, ScanConfig cfg, bool batched)
      : body_(std::move(body)), cfg_(std::move(cfg)), batched_(batched) {}

  Status run(KernelContext& ctx) const override {
    if (!ctx.subgraphs()) return internal_error("Scan has no subgraph runner");
    return batched_ ? run_batched(ctx) : run_unbatched(ctx);
  }

 private:
  Result<ScanResult> scan(KernelContext& ctx, std::vector<Tensor> states,
                          const std::vector<Tensor>& inputs, const std::vector<int>& axes,
                          int64_t length) const {
    const int n = cfg_.num_states;
    ScanResult r;
    r.parts.resize(static_cast<size_t>(cfg_.num_scan_outputs));
    for (int64_t t = 0; t < length; ++t) {
      std::vector<Tensor> feeds = states;
      for (size_t j = 0; j < inputs.size(); ++j) {
        int64_t idx = cfg_.in_dirs[j] ? length - 1 - t : t;
        FOGLINE_ASSIGN_OR_RETURN(Tensor s, control::take_slice(inputs[j], axes[j], idx));
        feeds.push_back(std::move(s));
      }
      auto outs = ctx.subgraphs()->run(*body_, feeds);
      if (!outs.is_ok()) return outs.status().with_context("Scan step " + std::to_string(t));
      if (static_cast<int>(outs->size()) != n + cfg_.num_scan_outputs) {
        return invalid_argument("Scan body gave " + std::to_string(outs->size()) + " outputs, expected " +
                                std::to_string(n + cfg_.num_scan_outputs));
      }
      for (int k = 0; k < n; ++k) states[static_cast<size_t>(k)] = (*outs)[static_cast<size_t>(k)];
      for (int k = 0; k < cfg_.num_scan_outputs; ++k) {
        r.parts[static_cast<size_t>(k)].push_back((*outs)[static_cast<size_t>(n + k)]);
      }
    }
    r.states = std::move(states);
    return r;
  }

  // Stacks the steps of scan output k into `total` positions along `axis` (zeros past the
  // steps taken), reversed when `reverse`.
  Result<Tensor> stack(const std::vector<Tensor>& parts, int k, int64_t axis, bool reverse,
                       int64_t total) const {
    Shape shape;
    DataType dtype;
    if (parts.empty()) {
      shape = control::declared_shape(*body_, cfg_.num_states + k, &dtype);
    } else {
      shape = parts[0].shape();
      dtype = parts[0].dtype();
    }
    const int64_t rank = static_cast<int64_t>(shape.size()) + 1;
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      return invalid_argument("Scan output axis " + std::to_string(axis) + " is out of range for rank " +
                              std::to_string(rank));
    }
    shape.insert(shape.begin() + a, total);
    FOGLINE_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(dtype, shape));
    const auto steps = static_cast<int64_t>(parts.size());
    for (int64_t t = 0; t < steps; ++t) {
      FOGLINE_TRY(control::put_slice(out, static_cast<int>(a), reverse ? steps - 1 - t : t,
                                     parts[static_cast<size_t>(t)], "Scan output " + std::to_string(k)));
    }
    return out;
  }

  Status run_unbatched(KernelContext& ctx) const {
    const int n = cfg_.num_states;
    std::vector<Tensor> states, inputs;
    std::vector<int> axes;
    for (int k = 0; k < n; ++k) {
      if (!ctx.input(k)) return invalid_argument("Scan state input " + std::to_string(k) + " is missing");
      states.push_back(*ctx.input(k));
    }
    int64_t length = -1;
    for (int j = 0; j < cfg_.num_scan_inputs; ++j) {
      const Tensor* in = ctx.input(n + j);
      if (!in) return invalid_argument("Scan input " + std::to_string(n + j) + " is missing");
      int64_t ax = cfg_.in_axes[static_cast<size_t>(j)];
      FOGLINE_ASSIGN_OR_RETURN(int a, normalize_axis(ax, in->rank(), ctx));
      if (in->rank() == 0) return invalid_argument("Scan input " + std::to_string(n + j) + " is a scalar");
      if (length >= 0 && in->dim(a) != length) {
        return invalid_argument("Scan inputs disagree on the sequence length: " + std::to_string(length) +
                                " vs " + std::to_string(in->dim(a)));
      }
      length = in->dim(a);
      inputs.push_back(*in);
      axes.push_back(a);
    }
    FOGLINE_ASSIGN_OR_RETURN(ScanResult r, scan(ctx, std::move(states), inputs, axes, std::max<int64_t>(length, 0)));
    for (int k = 0; k < n && k < ctx.num_outputs(); ++k) {
      FOGLINE_ASSIGN_OR_RETURN(Tensor t, control::keepable(r.states[static_cast<size_t>(k)]));
      FOGLINE_TRY(ctx.set_output(k, std::move(t)));
    }
    for (int k = 0; k < cfg_.num_scan_outputs && n + k < ctx.num_outputs(); ++k) {
      const auto& parts = r.parts[static_cast<size_t>(k)];
      FOGLINE_ASSIGN_OR_RETURN(Tensor out, stack(parts, k, cfg_.out_axes[static_cast<size_t>(k)],
                                                 cfg_.out_dirs[static_cast<size_t>(k)] != 0,
                                                 static_cast<int64_t>(parts.size())));
      FOGLINE_TRY(ctx.set_output(n + k, std::move(out)));
    }
    return Status::ok();
  }

  Status run_batched(KernelContext& ctx) const {
    const int n = cfg_.num_states;
    int64_t batch = -1, max_len = -1;
    std::vector<const Tensor*> all;
    for (int i = 1; i < 1 + n + cfg_.num_scan_inputs; ++i) {
      const Tensor* t = ctx.input(i);
      if (!t) return invalid_argument("Scan input " + std::to_string(i) + " is missing");
      int need = i > n ? 2 : 1;
      if (t->rank() < need) {
        return invalid_argument("Scan (opset 8) input " + std::to_string(i) + " needs rank >= " +
                                std::to_string(need) + ", got " + shape_to_string(t->shape()));
      }
      if (batch >= 0 && t->dim(0) != batch) {
        return invalid_argument("Scan inputs disagree on the batch size: " + std::to_string(batch) +
                                " vs " + std::to_string(t->dim(0)));
      }
      batch = t->dim(0);
      if (i > n) {
        if (max_len >= 0 && t->dim(1) != max_len) {
          return invalid_argument("Scan inputs disagree on the sequence length: " +
                                  std::to_string(max_len) + " vs " + std::to_string(t->dim(1)));
        }
        max_len = t->dim(1);
      }
      all.push_back(t);
    }
    if (batch < 0) return invalid_argument("Scan (opset 8) needs at least one state or scan input");
    std::vector<int64_t> lens(static_cast<size_t>(batch), std::max<int64_t>(max_len, 0));
    if (ctx.has_input(0)) {
      FOGLINE_ASSIGN_OR_RETURN(lens, read_int64s(*ctx.input(0), "Scan's sequence_lens"));
      if (static_cast<int64_t>(lens.size()) != batch) {
        return invalid_argument("Scan's sequence_lens has " + std::to_string(lens.size()) +
                                " entries, batch size is " + std::to_string(batch));
      }
      for (int64_t l : lens) {
        if (l < 0 || l > max_len) {
          return invalid_argument("Scan's sequence_lens entry " + std::to_string(l) + " is outside [0, " +
                                  std::to_string(max_len) + "]");
        }
      }
    }
    std::vector<Tensor> outs(static_cast<size_t>(n + cfg_.num_scan_outputs));
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> states, inputs;
      for (int k = 0; k < n; ++k) {
        FOGLINE_ASSIGN_OR_RETURN(Tensor s, control::take_slice(*all[static_cast<size_t>(k)], 0, b));
        states.push_back(std::move(s));
      }
      for (int j = 0; j < cfg_.num_scan_inputs; ++j) {
        FOGLINE_ASSIGN_OR_RETURN(Tensor s, control::take_slice(*all[static_cast<size_t>(n + j)], 0, b));
        inputs.push_back(std::move(s));
      }
      std::vector<int> axes(inputs.size(), 0);
      FOGLINE_ASSIGN_OR_RETURN(ScanResult r, scan(ctx, std::move(states), inputs, axes,
                                                  lens[static_cast<size_t>(b)]));
      std::vector<Tensor> rows = std::move(r.states);
      for (int k = 0; k < cfg_.num_scan_outputs; ++k) {
        FOGLINE_ASSIGN_OR_RETURN(Tensor s, stack(r.parts[static_cast<size_t>(k)], k, 0, false, max_len));
        rows.push_back(std::move(s));
      }
      for (size_t o = 0; o < rows.size(); ++o) {
        if (!outs[o].defined()) {
          Shape shape = rows[o].shape();
          shape.insert(shape.begin(), batch);
          FOGLINE_ASSIGN_OR_RETURN(outs[o], Tensor::allocate(rows[o].dtype(), shape));
        }
        FOGLINE_TRY(control::put_slice(outs[o], 0, b, rows[o], "Scan output " + std::to_string(o)));
      }
    }
    for (size_t o = 0; o < outs.size() && static_cast<int>(o) < ctx.num_outputs(); ++o) {
      if (!outs[o].defined()) {  // batch of 0
        DataType dtype;
        Shape shape = control::declared_shape(*body_, static_cast<int>(o), &dtype);
        if (static_cast<int>(o) >= n) shape.insert(shape.begin(), std::max<int64_t>(max_len, 0));
        shape.insert(shape.begin(), 0);
        FOGLINE_ASSIGN_OR_RETURN(outs[o], Tensor::allocate(dtype, shape));
      }
      FOGLINE_TRY(ctx.set_output(static_cast<int>(o), std::move(outs[o])));
    }
    return Status::ok();
  }

  std::shared_ptr<Graph> body_;
  ScanConfig cfg_;
  bool batched_;
};

Result<std::vector<int64_t>> per_item(const Attributes& attrs, const std::string& name, int count,
                                      bool is_direction) {
  std::vector<int64_t> v = attrs.get_ints(name, std::vector<int64_t>(static_cast<size_t>(count), 0));
  if (static_cast<int>(v.size()) != count) {
    return invalid_argument("Scan attribute '" + name + "' has " + std::to_string(v.size()) +
                            " entries, expected " + std::to_string(count));
  }
  for (int64_t x : v) {
    if (is_direction && x != 0 && x != 1) {
      return invalid_argument("Scan attribute '" + name + "' entries must be 0 or 1, got " + std::to_string(x));
    }
  }
  return v;
}

Result<std::unique_ptr<Kernel>> make_scan(const KernelBuildInfo& info) {
  auto body = info.attrs().get_graph("body");
  if (!body) return invalid_argument("Scan needs a graph attribute 'body'");
  if (!info.attrs().has("num_scan_inputs")) return invalid_argument("Scan needs attribute 'num_scan_inputs'");
  const bool batched = info.opset() < 9;
  ScanConfig cfg;
  cfg.num_scan_inputs = static_cast<int>(info.attrs().get_int("num_scan_inputs", 0));
  cfg.num_states = info.num_inputs() - (batched ? 1 : 0) - cfg.num_scan_inputs;
  if (cfg.num_scan_inputs < 1 || cfg.num_states < 0) {
    return invalid_argument("Scan's num_scan_inputs " + std::to_string(cfg.num_scan_inputs) +
                            " does not fit its " + std::to_string(info.num_inputs()) + " inputs");
  }
  if (static_cast<int>(body->inputs.size()) != cfg.num_states + cfg.num_scan_inputs) {
    return invalid_argument("Scan body takes " + std::to_string(body->inputs.size()) + " inputs, expected " +
                            std::to_string(cfg.num_states + cfg.num_scan_inputs));
  }
  cfg.num_scan_outputs = static_cast<int>(body->outputs.size()) - cfg.num_states;
  if (cfg.num_scan_outputs < 0 || info.num_outputs() > cfg.num_states + cfg.num_scan_outputs) {
    return invalid_argument("Scan body gives " + std::to_string(body->outputs.size()) +
                            " outputs, which does not fit the node's " + std::to_string(info.num_outputs()));
  }
  const Attributes& a = info.attrs();
  if (batched) {
    FOGLINE_ASSIGN_OR_RETURN(cfg.in_dirs, per_item(a, "directions", cfg.num_scan_inputs, true));
    cfg.in_axes.assign(static_cast<size_t>(cfg.num_scan_inputs), 0);
    cfg.out_axes.assign(static_cast<size_t>(cfg.num_scan_outputs), 0);
    cfg.out_dirs.assign(static_cast<size_t>(cfg.num_scan_outputs), 0);
  } else {
    FOGLINE_ASSIGN_OR_RETURN(cfg.in_dirs, per_item(a, "scan_input_directions", cfg.num_scan_inputs, true));
    FOGLINE_ASSIGN_OR_RETURN(cfg.in_axes, per_item(a, "scan_input_axes", cfg.num_scan_inputs, false));
    FOGLINE_ASSIGN_OR_RETURN(cfg.out_dirs, per_item(a, "scan_output_directions", cfg.num_scan_outputs, true));
    FOGLINE_ASSIGN_OR_RETURN(cfg.out_axes, per_item(a, "scan_output_axes", cfg.num_scan_outputs, false));
  }
  return std::unique_ptr<Kernel>(new ScanKernel(std::move(body), std::move(cfg), batched));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Scan", 8, 1000, Backend::kReference, make_scan);

}  // namespace fogline::engine::ops
