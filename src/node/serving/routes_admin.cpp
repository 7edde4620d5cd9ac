// Admin routes: load a model version (hot swap) and roll back to the previous one. Only from
// the loopback interface (the local agent, an operator on the box), and behind the API key
// when the node has one: they make the node read files.
#include "node/serving/route.h"

namespace fogline::node {

namespace {

bool from_loopback(const httplib::Request& req) {
  return req.remote_addr == "127.0.0.1" || req.remote_addr == "::1" || req.remote_addr.rfind("::ffff:127.", 0) == 0;
}

// {"path": "m.onnx", "version": "2", "spec": "spec.json", "preset": "imagenet"}
void load(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!from_loopback(req)) return reply_error(res, 403, "admin routes answer only on the loopback interface");
  auto body = parse_json_body(req);
  if (!body.is_ok()) return reply_status(res, body.status());
  if (!body->is_object() || !body->contains("path") || !(*body)["path"].is_string()) {
    return reply_error(res, 400, "expected {\"path\": \"MODEL.onnx\", \"version\"?, \"spec\"?, \"preset\"?}");
  }
  std::string text = req.matches[1].str() + "=" + (*body)["path"].get<std::string>();
  for (const char* key : {"spec", "preset", "version"}) {
    if (!body->contains(key)) continue;
    if (!(*body)[key].is_string()) return reply_error(res, 400, std::string("\"") + key + "\" must be a string");
    text += std::string(",") + key + "=" + (*body)[key].get<std::string>();
  }
  auto source = parse_model_source(text);
  if (!source.is_ok()) return reply_status(res, source.status());
  Status st = ctx.load_and_swap(*source);
  if (!st.is_ok()) return reply_status(res, st);
  reply_json(res, 200, {{"name", source->name}, {"versions", ctx.models.versions(source->name)}});
}

void rollback(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!from_loopback(req)) return reply_error(res, 403, "admin routes answer only on the loopback interface");
  const std::string name = req.matches[1];
  Status st = ctx.models.rollback(name);
  if (!st.is_ok()) return reply_status(res, st);
  ctx.metrics.model_swapped(name);
  reply_json(res, 200, {{"name", name}, {"versions", ctx.models.versions(name)}});
}

}  // namespace

std::vector<Route> admin_routes() {
  return {
      {"POST", "/admin/models/([^/]+)/load", load},
      {"POST", "/admin/models/([^/]+)/rollback", rollback},
  };
}

}  // namespace fogline::node
