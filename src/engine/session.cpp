#include "engine/session.h"

#include <omp.h>

#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/passes/pass.h"

namespace fogline::engine {

Result<std::unique_ptr<Session>> Session::open(const std::string& path, SessionOptions options) {
  auto model = import_onnx_file(path, options.import);
  if (!model.is_ok()) return model.status();
  auto s = from_model(std::move(model).value(), std::move(options));
  if (!s.is_ok()) return s.status().with_context("'" + path + "'");
  return s;
}

bool cpu_runs_bf16() { return ops::dnnl_ops::cpu_has_native_bf16(); }

Result<std::unique_ptr<Session>> Session::from_bytes(const std::string& bytes, SessionOptions options) {
  auto model = import_onnx_bytes(bytes, ".", options.import);
  if (!model.is_ok()) return model.status();
  return from_model(std::move(model).value(), std::move(options));
}

Result<std::unique_ptr<Session>> Session::from_model(ImportedModel model, SessionOptions options) {
  std::unique_ptr<Session> s(new Session());
  s->info_ = std::move(model.info);
  s->options_ = options;
  s->threads_ = options.threads > 0 ? options.threads : omp_get_num_procs();
  Graph& g = model.graph;
  for (int id : g.inputs) s->inputs_.push_back({g.values[static_cast<size_t>(id)].name, g.values[static_cast<size_t>(id)].type});
  for (int id : g.outputs) {
    const Value& v = g.values[static_cast<size_t>(id)];
    ValueType type = v.type;
    if (v.constant) type.dtype = v.constant->dtype();
    s->outputs_.push_back({v.name, type});
  }
  if (!options.precision.empty()) {
    if (options.precision != "fp32" && options.precision != "bf16") {
      return invalid_argument("precision must be fp32 or bf16, got '" + options.precision + "'");
    }
    g.metadata[kComputePrecisionKey] = options.precision;
  }
  if (options.optimize) {
    FOGLINE_ASSIGN_OR_RETURN(s->pass_reports_,
                             run_passes(g, options.disabled_passes, options.reference_only));
  }
  auto shared = std::make_shared<const Graph>(std::move(g));
  FOGLINE_ASSIGN_OR_RETURN(s->executor_, GraphExecutor::build(shared, options.reference_only));
  return s;
}

Status Session::check_input(size_t i, const Tensor& t) const {
  const TensorSpec& spec = inputs_[i];
  if (!t.defined()) return invalid_argument("input '" + spec.name + "' is missing");
  if ((spec.type.dtype != DataType::kUndefined || is_boxed_dtype(t.dtype())) && t.dtype() != spec.type.dtype) {
    return invalid_argument("input '" + spec.name + "' must be " + value_type_name(spec.type.dtype) +
                            ", got " + value_type_name(t.dtype()));
  }
  if (spec.type.has_shape && !is_boxed_dtype(t.dtype())) {
    if (static_cast<size_t>(t.rank()) != spec.type.dims.size()) {
      return invalid_argument("input '" + spec.name + "' must have shape " + spec.type.to_string() +
                              ", got " + shape_to_string(t.shape()));
    }
    for (size_t d = 0; d < spec.type.dims.size(); ++d) {
      if (spec.type.dims[d].is_static() && spec.type.dims[d].value != t.shape()[d]) {
        return invalid_argument("input '" + spec.name + "' must have shape " +
                                spec.type.to_string() + ", got " + shape_to_string(t.shape()) +
                                " (dimension " + std::to_string(d) + ")");
      }
    }
  }
  return Status::ok();
}

Result<std::vector<Tensor>> Session::run(const std::vector<Tensor>& inputs, RunStats* stats) const {
  if (inputs.size() != inputs_.size()) {
    return invalid_argument("the model takes " + std::to_string(inputs_.size()) + " inputs, got " +
                            std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) FOGLINE_TRY(check_input(i, inputs[i]));
  FOGLINE_ASSIGN_OR_RETURN(std::vector<Tensor> outs,
                           executor_->run(inputs, nullptr, threads_, options_.plan_memory, stats));
  // Boxed values (engine/value.h) must not leak to callers that treat every output as a tensor.
  for (size_t i = 0; i < outs.size(); ++i) {
    if (is_boxed_dtype(outs[i].dtype())) {
      return invalid_argument("output '" + outputs_[i].name + "' is a " + value_type_name(outs[i].dtype()) +
                              ", not a tensor (read it with Session::run_values)");
    }
  }
  return outs;
}

Result<std::vector<RunValue>> Session::run_values(const std::vector<RunValue>& inputs,
                                                  RunStats* stats) const {
  if (inputs.size() != inputs_.size()) {
    return invalid_argument("the model takes " + std::to_string(inputs_.size()) + " inputs, got " +
                            std::to_string(inputs.size()));
  }
  std::vector<Tensor> slots;
  slots.reserve(inputs.size());
  for (const RunValue& v : inputs) slots.push_back(to_slot(v));
  for (size_t i = 0; i < slots.size(); ++i) FOGLINE_TRY(check_input(i, slots[i]));
  FOGLINE_ASSIGN_OR_RETURN(std::vector<Tensor> outs,
                           executor_->run(slots, nullptr, threads_, options_.plan_memory, stats));
  std::vector<RunValue> values;
  values.reserve(outs.size());
  for (const Tensor& t : outs) values.push_back(from_slot(t));
  return values;
}

Result<std::map<std::string, Tensor>> Session::run_named(const std::map<std::string, Tensor>& inputs,
                                                         RunStats* stats) const {
  std::vector<Tensor> ordered(inputs_.size());
  for (const auto& [name, t] : inputs) {
    size_t i = 0;
    while (i < inputs_.size() && inputs_[i].name != name) ++i;
    if (i == inputs_.size()) {
      std::string known;
      for (const auto& in : inputs_) known += (known.empty() ? "" : ", ") + in.name;
      return invalid_argument("the model has no input named '" + name + "' (inputs: " + known + ")");
    }
    ordered[i] = t;
  }
  for (size_t i = 0; i < ordered.size(); ++i) {
    if (!ordered[i].defined()) return invalid_argument("input '" + inputs_[i].name + "' is missing");
  }
  FOGLINE_ASSIGN_OR_RETURN(std::vector<Tensor> outs, run(ordered, stats));
  std::map<std::string, Tensor> named;
  for (size_t i = 0; i < outs.size(); ++i) named[outputs_[i].name] = std::move(outs[i]);
  return named;
}

}  // namespace fogline::engine
