// The Open Inference Protocol v2 inference call on one served model: a request object
// ({id, parameters, inputs, outputs}) checked against the model, run, and the response object
// ({model_name, model_version, id, outputs}). No HTTP here, so the rules are testable alone.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "node/serving/numeric_data.h"
#include "node/serving/served_model.h"
#include "node/shadow/run_tap.h"

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
// `fast`: numbers already read from the body (numeric_data.h), by input position. `tap`, when
// given, sees the inputs and outputs of a run that is answered (the shadow's copy).
Result<InferReply> oip_infer(const ServedModel& model, const nlohmann::json& request, std::string_view* binary = nullptr,
                             const std::vector<std::optional<NumericData>>* fast = nullptr,
                             const RunTap* tap = nullptr);

// From the request's JSON text: the numeric fast path first; on any error the text is parsed
// and checked the ordinary way, so what a client is told never depends on the fast path.
// The text as JSON, or an error naming the byte where parsing stopped.
Result<nlohmann::json> parse_json(std::string_view text);

Result<InferReply> oip_infer_text(const ServedModel& model, std::string_view text, std::string_view* binary,
                                  const RunTap* tap = nullptr);

}  // namespace fogline::node
