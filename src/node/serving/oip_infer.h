// The Open Inference Protocol v2 inference call on one served model: a request object
// ({id, parameters, inputs, outputs}) checked against the model, run, and the response object
// ({model_name, model_version, id, outputs}). No HTTP here, so the rules are testable alone.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "core/status.h"
#include "node/serving/served_model.h"

namespace fogline::node {

// The model's metadata: {name, versions, platform, inputs, outputs}.
nlohmann::json oip_model_metadata(const ServedModel& model, const std::vector<std::string>& versions);

struct InferReply {
  nlohmann::json header;  // the response object
  std::string binary;     // outputs asked as binary data, in output order (the binary extension)
};

// Errors are InvalidArgument for anything wrong in the request (unknown or missing input,
// datatype, shape, data length, unknown requested output). `binary` is the part after the JSON
// header when the request used Inference-Header-Content-Length (null otherwise).
Result<InferReply> oip_infer(const ServedModel& model, const nlohmann::json& request, std::string_view* binary = nullptr);

}  // namespace fogline::node
