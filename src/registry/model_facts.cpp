#include "registry/model_facts.h"

#include "engine/model_stats.h"
#include "engine/onnx_import.h"

namespace fogline::registry {

Result<nlohmann::json> inspect_model_file(const std::string& path) {
  auto model = engine::import_onnx_file(path);
  if (!model.is_ok()) return invalid_argument("not a model the engine can read: " + model.status().message());
  const engine::Graph& g = model->graph;
  engine::ModelStats stats = engine::compute_model_stats(g);
  nlohmann::json facts;
  facts["format"] = "onnx";
  facts["ir_version"] = model->info.ir_version;
  facts["producer"] = model->info.producer;
  facts["size_bytes"] = model->info.file_bytes;
  // The importer upgrades old opsets; the file's own default-domain opset is kept too.
  facts["file_opset"] = model->info.original_default_opset;
  facts["opsets"] = nlohmann::json::object();
  for (const auto& [domain, version] : model->info.opsets) facts["opsets"][engine::domain_display_name(domain)] = version;
  facts["inputs"] = nlohmann::json::array();
  facts["outputs"] = nlohmann::json::array();
  for (int id : g.inputs) facts["inputs"].push_back({{"name", g.values[id].name}, {"type", g.values[id].type.to_string()}});
  for (int id : g.outputs) facts["outputs"].push_back({{"name", g.values[id].name}, {"type", g.values[id].type.to_string()}});
  facts["nodes"] = g.nodes.size();
  facts["ops"] = stats.op_histogram;
  facts["parameters"] = stats.parameters;
  facts["parameter_bytes"] = stats.parameter_bytes;
  facts["flops"] = stats.flops;
  facts["flops_complete"] = stats.flops_complete;
  facts["unsupported_ops"] = stats.unsupported;
  if (!model->info.warnings.empty()) facts["warnings"] = model->info.warnings;
  return facts;
}

}  // namespace fogline::registry
