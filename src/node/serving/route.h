// HTTP routes of the node: each family (health, v2, predict, openapi, metrics, admin) lives in
// its own file and returns its routes; node_server.cpp holds the one table that mounts them.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "node/serving/model_table.h"
#include "node/serving/node_metrics.h"
#include "node/serving/served_model.h"
#include "node/rental/rental_registry.h"
#include "node/shadow/shadow_runner.h"

namespace fogline::node {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  int http_threads = 8;
  std::vector<std::string> api_keys;  // empty: no key needed
  LoadOptions load;
  rental::RegistryOptions rental;  // the node key and meter settings for rented models
};

// What a route handler may use. Handlers run on many threads at once.
struct RouteContext {
  ModelTable& models;
  NodeMetrics& metrics;
  const ServerOptions& options;
  // Loads `source` and swaps it in (admin route, SIGHUP).
  std::function<Status(const ModelSource&)> load_and_swap;
  // Runs shadow versions on copies of the requests (admin route loads them with load_shadow).
  shadow::ShadowRunner& shadows;
  std::function<Status(const ModelSource&)> load_shadow;
  rental::RentalRegistry& rentals;
};

using RouteHandler = std::function<void(const RouteContext&, const httplib::Request&, httplib::Response&)>;

struct Route {
  const char* method;   // GET | POST
  const char* pattern;  // std::regex over the path; groups land in req.matches
  RouteHandler handler;
};

std::vector<Route> health_routes();
std::vector<Route> v2_routes();
std::vector<Route> predict_routes();
std::vector<Route> openapi_routes();
std::vector<Route> metrics_routes();
std::vector<Route> admin_routes();
std::vector<Route> rental_routes();

// Replies.
void reply_json(httplib::Response& res, int status, const nlohmann::json& body);
// {"error": message}
void reply_error(httplib::Response& res, int status, const std::string& message);
// 400 for the caller's mistakes, 404 for unknown things, 500 otherwise.
int http_status_for(const Status& status);
void reply_status(httplib::Response& res, const Status& status);
// The body as JSON, or an error naming where the parser stopped.
Result<nlohmann::json> parse_json_body(const httplib::Request& req);
Result<nlohmann::json> parse_json_text(std::string_view text);

// Counts one model request in the metrics when it ends, with the status it was answered with.
class RequestRecord {
 public:
  RequestRecord(NodeMetrics& metrics, const char* route, const httplib::Response& res);
  ~RequestRecord();
  void set_model(const std::string& name) { model_ = name; }
  RequestRecord(const RequestRecord&) = delete;
  RequestRecord& operator=(const RequestRecord&) = delete;

 private:
  NodeMetrics& metrics_;
  const char* route_;
  const httplib::Response& res_;
  std::string model_;
  std::chrono::steady_clock::time_point start_;
};

// Rented models (node/rental/): a ticket before running, or a 402 naming the rental, used and
// prepaid counts (returns nullopt); a model not rented gets an empty ticket.
struct RentalGate {
  std::optional<rental::RentalTicket> ticket;
  // Counts the answered inference durably; false (and a 500 reply) when that failed, because an
  // answer the meter could not record is not given.
  bool commit(httplib::Response& res);
};
std::optional<RentalGate> admit_rental_or_reply(const ServedModel& model, httplib::Response& res);

// The served model a request names, or a 404 reply saying which models and versions exist.
std::shared_ptr<const ServedModel> find_model_or_reply(const RouteContext& ctx, const std::string& name,
                                                       const std::string& version, httplib::Response& res);

}  // namespace fogline::node
