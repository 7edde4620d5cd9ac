// Open Inference Protocol v2 (KServe / Triton) REST routes: server metadata, model metadata,
// model readiness and inference, each with an optional /versions/{v}.
#include "core/version.h"
#include "node/serving/oip_infer.h"
#include "node/serving/route.h"

namespace fogline::node {

namespace {

// Group 1: model name; group 2: version (empty when absent).
#define FOGLINE_V2_MODEL "/v2/models/([^/]+)(?:/versions/([^/]+))?"

void server_metadata(const RouteContext&, const httplib::Request&, httplib::Response& res) {
  reply_json(res, 200, {{"name", "fogline-node"}, {"version", kVersion}, {"extensions", nlohmann::json::array()}});
}

void model_metadata(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto model = find_model_or_reply(ctx, req.matches[1], req.matches[2], res);
  if (!model) return;
  reply_json(res, 200, oip_model_metadata(*model, ctx.models.versions(model->name)));
}

void model_ready(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto model = find_model_or_reply(ctx, req.matches[1], req.matches[2], res);
  if (!model) return;
  reply_json(res, 200, {{"name", model->name}, {"ready", true}});
}

void infer(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  RequestRecord record(ctx.metrics, "infer", res);
  auto model = find_model_or_reply(ctx, req.matches[1], req.matches[2], res);
  if (!model) return;
  record.set_model(model->name);
  auto body = parse_json_body(req);
  if (!body.is_ok()) return reply_status(res, body.status());
  auto response = oip_infer(*model, *body);
  if (!response.is_ok()) return reply_status(res, response.status());
  reply_json(res, 200, *response);
}

}  // namespace

std::vector<Route> v2_routes() {
  return {
      {"GET", "/v2", server_metadata},
      {"GET", FOGLINE_V2_MODEL, model_metadata},
      {"GET", FOGLINE_V2_MODEL "/ready", model_ready},
      {"POST", FOGLINE_V2_MODEL "/infer", infer},
  };
}

}  // namespace fogline::node
