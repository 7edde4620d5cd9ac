// ONNX external data: a model whose tensors live in files beside it (TensorProto
// data_location EXTERNAL, `location` relative to the model's folder). The importer fetches
// those files from the same source as the model and stores each as an artifact of the
// version with role "external-data:LOCATION"; whoever loads the version lays them out beside
// the model again (cli/commands/registry_eval.cpp).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::registry {

constexpr const char* kExternalDataRolePrefix = "external-data:";

// The distinct `location`s the model's tensors name (initializers, Constant attributes and
// subgraphs), sorted. A location that is absolute or leaves the model's folder is refused.
Result<std::vector<std::string>> external_data_locations(const std::string& model_path);

}  // namespace fogline::registry
