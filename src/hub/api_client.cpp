#include "hub/api_client.h"

#include <httplib.h>

#include <cstdlib>

namespace fogline::hub {

Result<ApiEndpoint> resolve_endpoint(const std::string& url_flag, const std::string& token_flag,
                                     const std::string& ca_flag) {
  ApiEndpoint e;
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  e.url = url_flag.empty() ? env("FOGLINE_HUB") : url_flag;
  e.token = token_flag.empty() ? env("FOGLINE_TOKEN") : token_flag;
  e.ca_cert_path = ca_flag.empty() ? env("FOGLINE_HUB_CA") : ca_flag;
  if (e.url.empty()) return invalid_argument("no hub: give --hub URL or set FOGLINE_HUB");
  if (e.url.rfind("http://", 0) != 0 && e.url.rfind("https://", 0) != 0)
    return invalid_argument("hub URL '" + e.url + "' must start with http:// or https://");
  while (!e.url.empty() && e.url.back() == '/') e.url.pop_back();
  if (e.token.empty()) return invalid_argument("no API token: give --token T or set FOGLINE_TOKEN");
  return e;
}

Result<nlohmann::json> api_call(const ApiEndpoint& endpoint, const std::string& method, const std::string& target,
                                const nlohmann::json& body) {
  httplib::Client cli(endpoint.url);
  cli.set_connection_timeout(10, 0);
  cli.set_read_timeout(60, 0);
  if (!endpoint.ca_cert_path.empty()) {
    cli.set_ca_cert_path(endpoint.ca_cert_path);
    cli.enable_server_certificate_verification(true);
  }
  httplib::Headers headers = {{"Authorization", "Bearer " + endpoint.token}};
  std::string payload = body.is_null() ? std::string() : body.dump();
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "GET") res = cli.Get(target, headers);
  else if (method == "POST") res = cli.Post(target, headers, payload, "application/json");
  else if (method == "DELETE") res = cli.Delete(target, headers, payload, "application/json");
  else return invalid_argument("unsupported HTTP method " + method);
  if (!res) return io_error(method + " " + endpoint.url + target + ": " + httplib::to_string(res.error()));
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status < 200 || res->status > 299) {
    std::string message = !j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_string()
                              ? j["error"].get<std::string>()
                              : res->body;
    StatusCode code = res->status == 404 ? StatusCode::kNotFound
                      : res->status == 400 ? StatusCode::kInvalidArgument
                                           : StatusCode::kIoError;
    return Status(code, "hub answered " + std::to_string(res->status) + ": " + message);
  }
  if (j.is_discarded()) return io_error(method + " " + target + ": the hub's answer is not JSON");
  return j;
}

}  // namespace fogline::hub
