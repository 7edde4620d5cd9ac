// One HTTP route of the hub: method, OpenAPI-style path ("/api/models/{model}"), who may call
// it, its documentation and its handler. route_table() lists them all; the server registers
// exactly that list and the OpenAPI document is generated from it, so adding a route touches
// one place.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/identity.h"
#include "hub/node_auth.h"
#include "hub/roles.h"
#include "registry/registry.h"

namespace fogline::hub {

class Deployments;
class HubCounters;
struct HubLedger;

using Json = nlohmann::json;

// What handlers share: the registry (and through it the home and database), the hub's key
// and policies. Handlers run under `mutex` (one database connection).
struct HubContext {
  registry::Registry* registry = nullptr;
  const crypto::Identity* hub_key = nullptr;
  NodeAuthPolicy node_auth;
  std::string version;
  Deployments* deployments = nullptr;
  HubCounters* counters = nullptr;
  int64_t quiet_after_seconds = 60;  // a node not heard from for longer is "quiet"
  std::string metrics_token;         // set: GET /metrics wants it (or an API token)
  HubLedger* ledger = nullptr;       // the embedded orderer (hub_ledger.h); null: no ledger
};

struct RouteRequest {
  std::map<std::string, std::string> path;   // {model} -> "cam"
  std::map<std::string, std::string> query;  // ?from=2
  std::map<std::string, std::string> headers;
  std::string body;
  Caller caller;
  // The server's lock, held while the handler runs; a long-poll releases it while it waits.
  std::unique_lock<std::mutex>* lock = nullptr;

  bool has_query(const std::string& key) const { return query.count(key) > 0; }
  // A request header by name, matched case-insensitively as HTTP names are; "" when absent.
  std::string header(const std::string& name) const;
  std::string query_or(const std::string& key, const std::string& fallback = "") const {
    auto it = query.find(key);
    return it == query.end() ? fallback : it->second;
  }
  // The body as a JSON object; kInvalidArgument naming the parse error otherwise.
  Result<Json> json_body() const;
};

struct Reply {
  int status = 200;
  Json json;                  // sent when file_path and text are empty
  std::string text;           // sent as is (with content_type) when set
  std::string file_path;      // streamed (with Range support) when set
  int64_t file_size = 0;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
};

using Handler = std::function<Result<Reply>(HubContext&, const RouteRequest&)>;

struct Param {
  std::string name;
  std::string description;
};

struct Route {
  std::string method;  // GET, POST, DELETE
  std::string path;    // OpenAPI template
  Access access;
  std::string summary;
  Handler handler;
  std::vector<Param> query_params = {};
  std::string request_body = {};  // description of the JSON body, empty when none
  std::string response = "JSON";  // description of the 200 response
  std::string produces = "application/json";
};

const std::vector<Route>& route_table();

// Path parameter names of a template, in order ("/a/{x}/b/{y}" -> x, y).
std::vector<std::string> path_parameters(const std::string& path_template);
// The regex cpp-httplib matches for a template: each {x} becomes ([^/]+).
std::string path_regex(const std::string& path_template);

// Handlers, one per route, grouped by resource in routes_*.cpp.
Result<Reply> handle_health(HubContext&, const RouteRequest&);
Result<Reply> handle_openapi(HubContext&, const RouteRequest&);
Result<Reply> handle_hub_info(HubContext&, const RouteRequest&);
Result<Reply> handle_create_api_token(HubContext&, const RouteRequest&);
Result<Reply> handle_list_models(HubContext&, const RouteRequest&);
Result<Reply> handle_list_versions(HubContext&, const RouteRequest&);
Result<Reply> handle_get_version(HubContext&, const RouteRequest&);
Result<Reply> handle_version_history(HubContext&, const RouteRequest&);
Result<Reply> handle_version_metrics(HubContext&, const RouteRequest&);
Result<Reply> handle_promote(HubContext&, const RouteRequest&);
Result<Reply> handle_tag(HubContext&, const RouteRequest&);
Result<Reply> handle_untag(HubContext&, const RouteRequest&);
Result<Reply> handle_create_enroll_token(HubContext&, const RouteRequest&);
Result<Reply> handle_enroll(HubContext&, const RouteRequest&);
Result<Reply> handle_list_nodes(HubContext&, const RouteRequest&);
Result<Reply> handle_get_node(HubContext&, const RouteRequest&);
Result<Reply> handle_metrics(HubContext&, const RouteRequest&);
Result<Reply> handle_node_self(HubContext&, const RouteRequest&);
Result<Reply> handle_node_heartbeat(HubContext&, const RouteRequest&);
Result<Reply> handle_get_bundle(HubContext&, const RouteRequest&);
Result<Reply> handle_bundle_info(HubContext&, const RouteRequest&);
Result<Reply> handle_create_deployment(HubContext&, const RouteRequest&);
Result<Reply> handle_list_deployments(HubContext&, const RouteRequest&);
Result<Reply> handle_get_deployment(HubContext&, const RouteRequest&);
Result<Reply> handle_promote_deployment(HubContext&, const RouteRequest&);
Result<Reply> handle_rollback_deployment(HubContext&, const RouteRequest&);
Result<Reply> handle_node_desired(HubContext&, const RouteRequest&);
Result<Reply> handle_node_report(HubContext&, const RouteRequest&);

}  // namespace fogline::hub
