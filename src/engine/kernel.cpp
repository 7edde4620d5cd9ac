#include "engine/kernel.h"

#include <algorithm>

namespace fogline::engine {

Result<Tensor*> KernelContext::allocate_output(int i, DataType dtype, const Shape& shape) {
  if (i < 0 || i >= num_outputs()) {
    return internal_error(node_.describe() + " allocates output " + std::to_string(i) +
                          " but has only " + std::to_string(num_outputs()));
  }
  int id = node_.outputs[static_cast<size_t>(i)];
  if (id < 0) {
    FOGLINE_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape));
    scratch_outputs_.push_back(std::move(t));
    return &scratch_outputs_.back();
  }
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, allocator_->allocate(id, dtype, shape));
  (*values_)[static_cast<size_t>(id)] = std::move(t);
  return &(*values_)[static_cast<size_t>(id)];
}

Status KernelContext::set_output(int i, Tensor t) {
  if (i < 0 || i >= num_outputs()) {
    return internal_error(node_.describe() + " sets output " + std::to_string(i) + " out of range");
  }
  int id = node_.outputs[static_cast<size_t>(i)];
  if (id >= 0) (*values_)[static_cast<size_t>(id)] = std::move(t);
  return Status::ok();
}

DataType KernelBuildInfo::input_dtype(int i) const {
  if (!has_input(i)) return DataType::kUndefined;
  const Value& v = graph_.values[static_cast<size_t>(node_.inputs[static_cast<size_t>(i)])];
  if (v.constant) return v.constant->dtype();
  return v.type.dtype;
}

DataType KernelBuildInfo::output_dtype(int i) const {
  if (i >= num_outputs() || node_.outputs[static_cast<size_t>(i)] < 0) return DataType::kUndefined;
  return graph_.values[static_cast<size_t>(node_.outputs[static_cast<size_t>(i)])].type.dtype;
}

std::optional<Shape> KernelBuildInfo::input_static_shape(int i) const {
  if (!has_input(i)) return std::nullopt;
  const Value& v = graph_.values[static_cast<size_t>(node_.inputs[static_cast<size_t>(i)])];
  if (v.constant) return v.constant->shape();
  return v.type.static_shape();
}

const Tensor* KernelBuildInfo::input_constant(int i) const {
  if (!has_input(i)) return nullptr;
  const Value& v = graph_.values[static_cast<size_t>(node_.inputs[static_cast<size_t>(i)])];
  return v.constant ? &*v.constant : nullptr;
}

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::kReference: return "reference";
    case Backend::kDnnl: return "onednn";
  }
  return "?";
}

KernelRegistry& KernelRegistry::global() {
  static KernelRegistry registry;
  return registry;
}

bool KernelRegistry::add(KernelDef def) {
  defs_.push_back(std::make_unique<KernelDef>(std::move(def)));
  return true;
}

std::vector<const KernelDef*> KernelRegistry::candidates(const std::string& domain,
                                                         const std::string& op_type,
                                                         int opset) const {
  std::vector<const KernelDef*> out;
  for (const auto& d : defs_) {
    if (d->op_type == op_type && d->domain == domain && opset >= d->min_opset &&
        opset <= d->max_opset) {
      out.push_back(d.get());
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const KernelDef* a, const KernelDef* b) {
    return static_cast<int>(a->backend) > static_cast<int>(b->backend);
  });
  return out;
}

std::vector<const KernelDef*> KernelRegistry::all() const {
  std::vector<const KernelDef*> out;
  for (const auto& d : defs_) out.push_back(d.get());
  return out;
}

Result<std::unique_ptr<Kernel>> create_kernel(const KernelBuildInfo& info, bool reference_only,
                                              Backend* chosen) {
  const Node& node = info.node();
  auto defs = KernelRegistry::global().candidates(node.domain, node.op_type, node.opset);
  if (defs.empty()) {
    return unsupported("no kernel for op " + node.describe());
  }
  std::string reasons;
  for (const KernelDef* def : defs) {
    if (reference_only && def->backend != Backend::kReference) continue;
    auto kernel = def->factory(info);
    if (kernel.is_ok()) {
      if (chosen) *chosen = def->backend;
      return kernel;
    }
    if (kernel.status().code() != StatusCode::kUnsupported) {
      return kernel.status().with_context(node.describe());
    }
    if (!reasons.empty()) reasons += "; ";
    reasons += std::string(backend_name(def->backend)) + ": " + kernel.status().message();
  }
  return unsupported("op " + node.describe() + " cannot run: " + reasons);
}

}  // namespace fogline::engine
