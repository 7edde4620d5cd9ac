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
  // A rented model whose prepayment is used up is loaded but serves nothing: not ready.
  if (model->rental && model->rental->snapshot().exhausted()) {
    nlohmann::json why = model->rental->refusal_json(model->name);
    why["name"] = model->name;
    why["ready"] = false;
    return reply_json(res, 503, why);
  }
  reply_json(res, 200, {{"name", model->name}, {"ready", true}});
}

void infer(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  RequestRecord record(ctx.metrics, "infer", res);
  auto model = find_model_or_reply(ctx, req.matches[1], req.matches[2], res);
  if (!model) return;
  record.set_model(model->name);
  auto gate = admit_rental_or_reply(*model, res);
  if (!gate) return;
  // The binary tensor data extension: a JSON header of this many bytes, then raw tensors.
  const std::string header_length = req.get_header_value("Inference-Header-Content-Length");
  std::string_view binary_part;
  bool has_binary = !header_length.empty();
  std::string_view text = req.body;
  if (has_binary) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(header_length.c_str(), &end, 10);
    if (*end != '\0' || n > req.body.size()) {
      return reply_error(res, 400, "Inference-Header-Content-Length " + header_length + " is not a length within the " +
                                       std::to_string(req.body.size()) + "-byte body");
    }
    text = std::string_view(req.body).substr(0, n);
    binary_part = std::string_view(req.body).substr(n);
  }
  const RunTap tap = ctx.shadows.tap_for(ctx.models, model);
  auto reply = oip_infer_text(*model, text, has_binary ? &binary_part : nullptr, tap ? &tap : nullptr);
  if (!reply.is_ok()) return reply_status(res, reply.status());
  if (!gate->commit(res)) return;
  if (reply->binary.empty()) return reply_json(res, 200, reply->header);
  std::string header = reply->header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.status = 200;
  res.set_header("Inference-Header-Content-Length", std::to_string(header.size()));
  res.set_content(header + reply->binary, "application/octet-stream");
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
