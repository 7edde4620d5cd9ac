// The Open Inference Protocol v2 inference call on one served model: a request object
// ({id, parameters, inputs, outputs}) checked against the model, run, and the response object
// ({model_name, model_version, id, outputs}). No HTTP here, so the rules are testable alone.
#pragma once

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "node/serving/served_model.h"

namespace fogline::node {

// The model's metadata: {name, versions, platform, inputs, outputs}.
nlohmann::json oip_model_metadata(const ServedModel& model, const std::vector<std::string>& versions);

// Errors are InvalidArgument for anything wrong in the request (unknown or missing input,
// datatype, shape, data length, unknown requested output).
Result<nlohmann::json> oip_infer(const ServedModel& model, const nlohmann::json& request);

}  // namespace fogline::node
