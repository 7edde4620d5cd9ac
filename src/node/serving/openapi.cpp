#include "node/serving/openapi.h"

#include "core/version.h"
#include "node/serving/tensor_json.h"

namespace fogline::node {

using nlohmann::json;

namespace {

json error_response(const char* what) {
  return {{"description", what},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

json json_body(const json& schema) { return {{"required", true}, {"content", {{"application/json", {{"schema", schema}}}}}}; }

json ok_json(const char* what, const json& schema) {
  return {{"description", what}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

// One tensor as the request must send it: its name and datatype fixed, its shape described.
json tensor_schema(const engine::TensorSpec& t) {
  auto dt = oip_datatype(t.type.dtype);
  json shape = oip_shape(t.type);
  json data_items = t.type.dtype == engine::DataType::kBool ? json{{"type", "boolean"}}
                    : engine::dtype_is_float(t.type.dtype) ? json{{"type", "number"}}
                                                            : json{{"type", "integer"}};
  return {{"type", "object"},
          {"required", {"name", "shape", "datatype", "data"}},
          {"description", "shape " + shape.dump() + " (-1: any size)"},
          {"properties",
           {{"name", {{"type", "string"}, {"enum", {t.name}}}},
            {"datatype", {{"type", "string"}, {"enum", {dt ? *dt : std::string("unsupported")}}}},
            {"shape", {{"type", "array"}, {"items", {{"type", "integer"}}}, {"example", shape}}},
            {"data", {{"type", "array"}, {"description", "flat (row-major) or nested to the shape"},
                      {"items", {{"oneOf", {data_items, {{"type", "array"}}}}}}}}}}};
}

}  // namespace

json openapi_document(const std::vector<std::shared_ptr<const ServedModel>>& models, bool api_keys) {
  json paths = json::object();
  json schemas = {
      {"Error", {{"type", "object"}, {"required", {"error"}}, {"properties", {{"error", {{"type", "string"}}}}}}},
      {"ResponseTensor",
       {{"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}}},
          {"datatype", {{"type", "string"}}},
          {"shape", {{"type", "array"}, {"items", {{"type", "integer"}}}}},
          {"data", {{"type", "array"}, {"items", {}}}}}}}},
      {"InferenceResponse",
       {{"type", "object"},
        {"properties",
         {{"model_name", {{"type", "string"}}},
          {"model_version", {{"type", "string"}}},
          {"id", {{"type", "string"}}},
          {"outputs", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/ResponseTensor"}}}}}}}}},
      {"Prediction",
       {{"type", "object"},
        {"properties",
         {{"model_name", {{"type", "string"}}},
          {"model_version", {{"type", "string"}}},
          {"predictions", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}}},
  };
  paths["/v2/health/live"] = {{"get", {{"summary", "The process answers"}, {"security", json::array()},
                                       {"responses", {{"200", {{"description", "live"}}}}}}}};
  paths["/v2/health/ready"] = {{"get", {{"summary", "Every served model is loaded"}, {"security", json::array()},
                                        {"responses", {{"200", {{"description", "ready"}}}, {"503", error_response("not ready")}}}}}};
  paths["/v2"] = {{"get", {{"summary", "Server metadata"}, {"responses", {{"200", {{"description", "name, version, extensions"}}}}}}}};
  paths["/metrics"] = {{"get", {{"summary", "Prometheus text exposition"}, {"responses", {{"200", {{"description", "metrics"}}}}}}}};
  paths["/predict"] = {{"post",
                        {{"summary", "Labels or boxes for an image (?model=NAME when several are served)"},
                         {"parameters", {{{"name", "model"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
                                         {{"name", "top_k"}, {"in", "query"}, {"schema", {{"type", "integer"}}}}}},
                         {"requestBody",
                          {{"required", true},
                           {"content",
                            {{"image/jpeg", {{"schema", {{"type", "string"}, {"format", "binary"}}}}},
                             {"image/png", {{"schema", {{"type", "string"}, {"format", "binary"}}}}},
                             {"multipart/form-data",
                              {{"schema", {{"type", "object"}, {"properties", {{"image", {{"type", "string"}, {"format", "binary"}}}}}}}}},
                             {"application/json", {{"schema", {{"type", "object"}}}}}}}}},
                         {"responses", {{"200", ok_json("predictions", {{"$ref", "#/components/schemas/Prediction"}})},
                                        {"400", error_response("bad input")}}}}}};

  for (const auto& m : models) {
    const std::string base = "/v2/models/" + m->name;
    const std::string req_name = m->name + "_InferenceRequest";
    json inputs = json::array();
    for (const auto& in : m->session->inputs()) inputs.push_back(tensor_schema(in));
    json output_names = json::array();
    for (const auto& o : m->session->outputs()) output_names.push_back(o.name);
    schemas[req_name] = {
        {"type", "object"},
        {"required", {"inputs"}},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"parameters", {{"type", "object"}}},
          {"inputs", {{"type", "array"}, {"minItems", inputs.size()}, {"maxItems", inputs.size()},
                      {"items", {{"oneOf", inputs}}}}},
          {"outputs", {{"type", "array"},
                       {"items", {{"type", "object"}, {"properties", {{"name", {{"type", "string"}, {"enum", output_names}}}}}}}}}}}};
    paths[base] = {{"get", {{"summary", "Metadata of " + m->name}, {"responses", {{"200", {{"description", "metadata"}}},
                                                                                    {"404", error_response("unknown model")}}}}}};
    paths[base + "/ready"] = {{"get", {{"summary", m->name + " is ready"}, {"responses", {{"200", {{"description", "ready"}}}}}}}};
    paths[base + "/infer"] = {
        {"post",
         {{"summary", "Run " + m->name + " (Open Inference Protocol v2)"},
          {"requestBody", json_body({{"$ref", "#/components/schemas/" + req_name}})},
          {"responses", {{"200", ok_json("outputs", {{"$ref", "#/components/schemas/InferenceResponse"}})},
                         {"400", error_response("bad request: the message names the input and what was wrong")},
                         {"404", error_response("unknown model or version")}}}}}};
    paths["/v1/models/" + m->name + "/predict"] = {
        {"post", {{"summary", "Labels or boxes from " + m->name}, {"requestBody", paths["/predict"]["post"]["requestBody"]},
                  {"responses", {{"200", ok_json("predictions", {{"$ref", "#/components/schemas/Prediction"}})},
                                 {"400", error_response("bad input")}}}}}};
  }
  json doc = {{"openapi", "3.0.3"},
              {"info", {{"title", "Fogline node inference API"}, {"version", kVersion}}},
              {"paths", paths},
              {"components", {{"schemas", schemas}}}};
  if (api_keys) {
    doc["components"]["securitySchemes"] = {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
                                            {"apiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}};
    doc["security"] = json::array({{{"bearer", json::array()}}, {{"apiKey", json::array()}}});
  }
  return doc;
}

}  // namespace fogline::node
