#include <chrono>

#include "node/serving/oip_infer.h"
#include "node/serving/route.h"

namespace fogline::node {

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // Replace keeps a non-UTF-8 byte from a client's input (echoed in a message) from
  // turning the reply into an exception.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, nlohmann::json{{"error", message}});
}

int http_status_for(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kUnsupported: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kResourceExhausted: return 503;
    default: return 500;
  }
}

void reply_status(httplib::Response& res, const Status& status) {
  reply_error(res, http_status_for(status), status.message());
}

Result<nlohmann::json> parse_json_body(const httplib::Request& req) { return parse_json_text(req.body); }

Result<nlohmann::json> parse_json_text(std::string_view text) { return parse_json(text); }

RequestRecord::RequestRecord(NodeMetrics& metrics, const char* route, const httplib::Response& res)
    : metrics_(metrics), route_(route), res_(res), start_(std::chrono::steady_clock::now()) {
  metrics_.request_started();
}

RequestRecord::~RequestRecord() {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  metrics_.request_finished(model_, route_, res_.status, s);
}

std::shared_ptr<const ServedModel> find_model_or_reply(const RouteContext& ctx, const std::string& name,
                                                       const std::string& version, httplib::Response& res) {
  auto model = ctx.models.find(name, version);
  if (model) return model;
  auto versions = ctx.models.versions(name);
  if (versions.empty()) {
    std::string served;
    for (const auto& n : ctx.models.names()) served += (served.empty() ? "" : ", ") + n;
    reply_error(res, 404, "unknown model '" + name + "'; this node serves: " + (served.empty() ? "(none)" : served));
  } else {
    std::string loaded;
    for (const auto& v : versions) loaded += (loaded.empty() ? "" : ", ") + v;
    reply_error(res, 404, "model '" + name + "' has no version '" + version + "' loaded; loaded: " + loaded);
  }
  return nullptr;
}

}  // namespace fogline::node
