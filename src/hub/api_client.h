// The CLI's side of the hub's REST API (`fogline deploy ...`): where the hub is (--hub URL or
// $FOGLINE_HUB), the API token (--token or $FOGLINE_TOKEN), and one JSON call that turns a
// non-2xx answer into an error carrying the hub's own message.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace fogline::hub {

struct ApiEndpoint {
  std::string url;    // http(s)://host:port
  std::string token;  // fgl_...
  std::string ca_cert_path;  // trust this CA for an https hub with a private certificate
};

// Flags first, then the environment; names what is missing.
Result<ApiEndpoint> resolve_endpoint(const std::string& url_flag, const std::string& token_flag,
                                     const std::string& ca_flag = "");

// METHOD TARGET with an optional JSON body; the parsed JSON answer of a 2xx status.
Result<nlohmann::json> api_call(const ApiEndpoint& endpoint, const std::string& method, const std::string& target,
                                const nlohmann::json& body = nullptr);

}  // namespace fogline::hub
