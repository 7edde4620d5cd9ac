#include "hub/openapi.h"

#include <cctype>

namespace fogline::hub {
namespace {

// "GET /api/models/{model}/versions/{version}" -> "getModelsModelVersionsVersion".
std::string operation_id(const Route& r) {
  std::string id;
  for (char c : r.method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool upper = true;
  std::string path = r.path.rfind("/api/", 0) == 0 ? r.path.substr(4) : r.path;  // without "/api"
  for (char c : path) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return id;
}

Json error_response(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

}  // namespace

Json openapi_document(const std::vector<Route>& routes, const std::string& version) {
  Json paths = Json::object();
  for (const auto& r : routes) {
    Json op = {{"summary", r.summary}, {"operationId", operation_id(r)}, {"x-fogline-access", r.access.describe()}};
    Json params = Json::array();
    for (const auto& p : path_parameters(r.path))
      params.push_back({{"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    for (const auto& q : r.query_params)
      params.push_back({{"name", q.name},
                        {"in", "query"},
                        {"required", false},
                        {"description", q.description},
                        {"schema", {{"type", "string"}}}});
    if (!params.empty()) op["parameters"] = params;
    if (!r.request_body.empty())
      op["requestBody"] = {{"required", true},
                           {"description", r.request_body},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    Json ok = {{"description", r.response}};
    if (r.produces == "application/json")
      ok["content"] = {{"application/json", {{"schema", {{"type", "object"}}}}}};
    else if (r.produces.rfind("text/", 0) == 0)
      ok["content"] = {{r.produces, {{"schema", {{"type", "string"}}}}}};
    else
      ok["content"] = {{r.produces, {{"schema", {{"type", "string"}, {"format", "binary"}}}}}};
    Json responses = {{"200", ok}, {"400", error_response("bad request")}, {"404", error_response("not found")}};
    if (r.produces == "application/vnd.fogline.bundle") responses["206"] = {{"description", "a byte range of the bundle"}};
    Json security = Json::array();
    if (r.access.user) security.push_back({{"bearerToken", Json::array()}});
    if (r.access.node) security.push_back({{"nodeSignature", Json::array()}});
    if (!r.access.is_public()) {
      op["security"] = security;
      responses["401"] = error_response("no or unknown credentials");
      if (r.access.user) responses["403"] = error_response(std::string("role below ") + role_name(*r.access.user));
      if (r.access.user) op["x-fogline-min-role"] = role_name(*r.access.user);
    } else {
      op["security"] = Json::array();
    }
    op["responses"] = responses;
    std::string method;
    for (char c : r.method) method += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[r.path][method] = op;
  }
  Json doc = {
      {"openapi", "3.0.3"},
      {"info", {{"title", "Fogline hub API"}, {"version", version}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearerToken", {{"type", "http"}, {"scheme", "bearer"}, {"description", "API token (fgl_...)"}}},
          {"nodeSignature",
           {{"type", "apiKey"},
            {"in", "header"},
            {"name", "Signature"},
            {"description",
             "RFC 9421 HTTP Message Signature by an enrolled node's Ed25519 key, with Signature-Input and "
             "Content-Digest (docs/formats/node-auth.md)"}}}}},
        {"schemas",
         {{"Error", {{"type", "object"}, {"properties", {{"error", {{"type", "string"}}}}}, {"required", {"error"}}}}}}}}};
  return doc;
}

}  // namespace fogline::hub
