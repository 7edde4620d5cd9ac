#include "node/serving/oip_infer.h"

#include <map>
#include <set>

#include "node/serving/tensor_json.h"

namespace fogline::node {

using nlohmann::json;

namespace {

json tensor_metadata(const engine::TensorSpec& spec) {
  auto dt = oip_datatype(spec.type.dtype);
  return json{{"name", spec.name},
              {"datatype", dt ? *dt : std::string(engine::value_type_name(spec.type.dtype))},
              {"shape", oip_shape(spec.type)}};
}

std::string input_list(const engine::Session& s) {
  std::string out;
  for (const auto& in : s.inputs()) out += (out.empty() ? "" : ", ") + in.name + " " + describe_type(in.type);
  return out;
}

std::string output_list(const engine::Session& s) {
  std::string out;
  for (const auto& o : s.outputs()) out += (out.empty() ? "" : ", ") + o.name;
  return out;
}

}  // namespace

json oip_model_metadata(const ServedModel& model, const std::vector<std::string>& versions) {
  json inputs = json::array(), outputs = json::array();
  for (const auto& in : model.session->inputs()) inputs.push_back(tensor_metadata(in));
  for (const auto& out : model.session->outputs()) outputs.push_back(tensor_metadata(out));
  return json{{"name", model.name}, {"versions", versions}, {"platform", "fogline_onnx"},
              {"inputs", inputs},   {"outputs", outputs}};
}

Result<InferReply> oip_infer(const ServedModel& model, const json& request, std::string_view* binary,
                             const std::vector<std::optional<NumericData>>* fast, const RunTap* tap) {
  const engine::Session& session = *model.session;
  if (!request.is_object()) return invalid_argument("the inference request must be a JSON object");
  static const std::set<std::string> kKeys{"id", "parameters", "inputs", "outputs"};
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (!kKeys.count(it.key())) {
      return invalid_argument("unknown field \"" + it.key() + "\" in the inference request (expected id, parameters, inputs, outputs)");
    }
  }
  if (request.contains("id") && !request["id"].is_string()) return invalid_argument("\"id\" must be a string");
  if (request.contains("parameters") && !request["parameters"].is_object()) {
    return invalid_argument("\"parameters\" must be an object");
  }
  if (!request.contains("inputs") || !request["inputs"].is_array()) {
    return invalid_argument("\"inputs\" is missing or not an array");
  }

  std::map<std::string, engine::Tensor> given;
  for (size_t i = 0; i < request["inputs"].size(); ++i) {
    const json& in = request["inputs"][i];
    if (!in.is_object() || !in.contains("name") || !in["name"].is_string()) {
      return invalid_argument("inputs[" + std::to_string(i) + "] must be an object with a string \"name\"");
    }
    const std::string name = in["name"].get<std::string>();
    const engine::TensorSpec* spec = nullptr;
    for (const auto& s : session.inputs()) {
      if (s.name == name) spec = &s;
    }
    if (!spec) {
      return invalid_argument("unknown input '" + name + "'; model " + model.name + " takes: " + input_list(session));
    }
    if (given.count(name)) return invalid_argument("input '" + name + "' is given twice");
    const NumericData* numbers = fast && i < fast->size() && (*fast)[i] ? &*(*fast)[i] : nullptr;
    FOGLINE_ASSIGN_OR_RETURN(engine::Tensor t, tensor_from_oip(in, spec->type, binary, numbers));
    given.emplace(name, std::move(t));
  }
  std::vector<engine::Tensor> inputs;
  for (const auto& s : session.inputs()) {
    auto it = given.find(s.name);
    if (it == given.end()) {
      return invalid_argument("missing input '" + s.name + "' " + describe_type(s.type) + "; model " + model.name +
                              " takes: " + input_list(session));
    }
    inputs.push_back(std::move(it->second));
  }

  if (binary && !binary->empty()) {
    return invalid_argument("the binary part has " + std::to_string(binary->size()) +
                            " bytes beyond the inputs' binary_data_size");
  }

  // Binary outputs: all when parameters.binary_data_output is true, or per output.
  bool all_binary = false;
  if (request.contains("parameters") && request["parameters"].contains("binary_data_output")) {
    const json& b = request["parameters"]["binary_data_output"];
    if (!b.is_boolean()) return invalid_argument("parameters.binary_data_output must be true or false");
    all_binary = b.get<bool>();
  }
  // Requested outputs, in the order asked; all of them in the model's order when absent.
  std::vector<std::pair<size_t, bool>> selected;  // output index, as binary
  if (request.contains("outputs")) {
    if (!request["outputs"].is_array()) return invalid_argument("\"outputs\" must be an array");
    for (size_t i = 0; i < request["outputs"].size(); ++i) {
      const json& o = request["outputs"][i];
      if (!o.is_object() || !o.contains("name") || !o["name"].is_string()) {
        return invalid_argument("outputs[" + std::to_string(i) + "] must be an object with a string \"name\"");
      }
      const std::string name = o["name"].get<std::string>();
      size_t k = 0;
      while (k < session.outputs().size() && session.outputs()[k].name != name) ++k;
      if (k == session.outputs().size()) {
        return invalid_argument("unknown output '" + name + "'; model " + model.name + " gives: " + output_list(session));
      }
      bool as_binary = all_binary;
      if (o.contains("parameters") && o["parameters"].is_object() && o["parameters"].contains("binary_data")) {
        const json& b = o["parameters"]["binary_data"];
        if (!b.is_boolean()) return invalid_argument("outputs[" + std::to_string(i) + "].parameters.binary_data must be true or false");
        as_binary = b.get<bool>();
      }
      selected.emplace_back(k, as_binary);
    }
  } else {
    for (size_t k = 0; k < session.outputs().size(); ++k) selected.emplace_back(k, all_binary);
  }

  auto outputs = session.run(inputs);
  if (!outputs.is_ok()) return outputs.status().with_context("model " + model.name);
  InferReply reply;
  json& response = reply.header;
  response = json{{"model_name", model.name}, {"model_version", model.version}};
  if (request.contains("id")) response["id"] = request["id"];
  json outs = json::array();
  for (const auto& [k, as_binary] : selected) {
    const engine::Tensor& t = (*outputs)[k];
    const std::string& name = session.outputs()[k].name;
    if (!as_binary) {
      FOGLINE_ASSIGN_OR_RETURN(json o, tensor_to_oip(name, t));
      outs.push_back(std::move(o));
      continue;
    }
    auto dt = oip_datatype(t.dtype());
    if (!dt) return unsupported("output '" + name + "' is " + engine::dtype_name(t.dtype()) + ", which has no protocol datatype");
    outs.push_back({{"name", name}, {"datatype", *dt}, {"shape", t.shape()}, {"parameters", {{"binary_data_size", t.nbytes()}}}});
    reply.binary.append(static_cast<const char*>(t.raw()), t.nbytes());
  }
  response["outputs"] = std::move(outs);
  if (tap && *tap) {
    // Tensors fed by numbers have no image behind them: the identity transform at the spec's size.
    processing::ImageTransform identity;
    if (model.spec) {
      identity.original_width = identity.input_width = model.spec->pre.width;
      identity.original_height = identity.input_height = model.spec->pre.height;
    }
    (*tap)(inputs, *outputs, identity);
  }
  return reply;
}

}  // namespace fogline::node

namespace fogline::node {

Result<InferReply> oip_infer_text(const ServedModel& model, std::string_view text, std::string_view* binary,
                                  const RunTap* tap) {
  std::vector<std::optional<NumericData>> fast;
  std::string rest = extract_numeric_data(text, &fast);
  if (!fast.empty()) {
    json request = json::parse(rest, nullptr, /*allow_exceptions=*/false);
    if (!request.is_discarded()) {
      std::string_view binary_copy = binary ? *binary : std::string_view();
      auto reply = oip_infer(model, request, binary ? &binary_copy : nullptr, &fast, tap);
      if (reply.is_ok()) return reply;
    }
  }
  FOGLINE_ASSIGN_OR_RETURN(json request, parse_json(text));
  return oip_infer(model, request, binary, nullptr, tap);
}

}  // namespace fogline::node

namespace fogline::node {

Result<json> parse_json(std::string_view text) {
  if (text.empty()) return invalid_argument("malformed JSON: the request body is empty");
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  // Parse again with exceptions only to learn where it stopped; bad bodies are rare.
  try {
    (void)json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid_argument("malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  return invalid_argument("malformed JSON");
}

}  // namespace fogline::node
