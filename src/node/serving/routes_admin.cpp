// Admin routes: load a model version (hot swap), roll back to the previous one, and load,
// show or remove a shadow version (node/shadow/: runs beside production, never answers). Only from
// the loopback interface (the local agent, an operator on the box), and behind the API key
// when the node has one: they make the node read files.
#include "node/serving/route.h"

namespace fogline::node {

namespace {

bool from_loopback(const httplib::Request& req) {
  return req.remote_addr == "127.0.0.1" || req.remote_addr == "::1" || req.remote_addr.rfind("::ffff:127.", 0) == 0;
}

// {"path": "m.onnx", "version": "2", "spec": "spec.json", "preset": "imagenet", "rental": "terms.json"}
// as a source.
Result<ModelSource> source_from_body(const httplib::Request& req) {
  FOGLINE_ASSIGN_OR_RETURN(nlohmann::json body, parse_json_body(req));
  if (!body.is_object() || !body.contains("path") || !body["path"].is_string()) {
    return invalid_argument("expected {\"path\": \"MODEL.onnx\", \"version\"?, \"spec\"?, \"preset\"?, \"rental\"?}");
  }
  std::string text = req.matches[1].str() + "=" + body["path"].get<std::string>();
  for (const char* key : {"spec", "preset", "version", "rental"}) {
    if (!body.contains(key)) continue;
    if (!body[key].is_string()) return invalid_argument(std::string("\"") + key + "\" must be a string");
    text += std::string(",") + key + "=" + body[key].get<std::string>();
  }
  return parse_model_source(text);
}

void load(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!from_loopback(req)) return reply_error(res, 403, "admin routes answer only on the loopback interface");
  auto source = source_from_body(req);
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

nlohmann::json describe_shadow(const ShadowSlot& s) {
  return {{"name", s.model->name}, {"version", s.model->version}, {"metrics", shadow::report_metrics(s.stats->snapshot())}};
}

// The same body as load; the model must be served (a shadow has nothing to compare against
// otherwise). The shadow's counters start at zero.
void load_shadow(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!from_loopback(req)) return reply_error(res, 403, "admin routes answer only on the loopback interface");
  auto source = source_from_body(req);
  if (!source.is_ok()) return reply_status(res, source.status());
  if (!ctx.models.find(source->name)) return reply_error(res, 404, "no model named '" + source->name + "' to shadow");
  Status st = ctx.load_shadow(*source);
  if (!st.is_ok()) return reply_status(res, st);
  reply_json(res, 200, describe_shadow(ctx.models.shadow(source->name)));
}

void show_shadow(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!from_loopback(req)) return reply_error(res, 403, "admin routes answer only on the loopback interface");
  ShadowSlot s = ctx.models.shadow(req.matches[1]);
  if (!s) return reply_error(res, 404, "model '" + req.matches[1].str() + "' has no shadow");
  reply_json(res, 200, describe_shadow(s));
}

void remove_shadow(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!from_loopback(req)) return reply_error(res, 403, "admin routes answer only on the loopback interface");
  if (!ctx.models.clear_shadow(req.matches[1]))
    return reply_error(res, 404, "model '" + req.matches[1].str() + "' has no shadow");
  reply_json(res, 200, {{"name", req.matches[1].str()}, {"shadow", nullptr}});
}

}  // namespace

std::vector<Route> admin_routes() {
  return {
      {"POST", "/admin/models/([^/]+)/load", load},
      {"POST", "/admin/models/([^/]+)/rollback", rollback},
      {"POST", "/admin/models/([^/]+)/shadow", load_shadow},
      {"GET", "/admin/models/([^/]+)/shadow", show_shadow},
      {"POST", "/admin/models/([^/]+)/shadow/remove", remove_shadow},
  };
}

}  // namespace fogline::node
