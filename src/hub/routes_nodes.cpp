// Routes for nodes: enrollment tokens, enrollment itself, the node list, and the signed
// routes a node calls about itself.
#include <cstdio>

#include "core/sha256.h"
#include "hub/deployments.h"
#include "hub/enrollment.h"
#include "hub/node_status.h"
#include "hub/route.h"
#include "hub/schema.h"

namespace fogline::hub {

Result<Reply> handle_create_enroll_token(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  Labels labels;
  if (body.contains("labels")) {
    if (!body["labels"].is_object()) return invalid_argument("field 'labels' must be an object of strings");
    for (auto& [k, v] : body["labels"].items()) {
      if (!v.is_string()) return invalid_argument("label '" + k + "' must be a string");
      labels[k] = v.get<std::string>();
    }
  }
  int64_t ttl = 3600;
  if (body.contains("expires_in")) {
    if (!body["expires_in"].is_string()) return invalid_argument("field 'expires_in' must be a string like \"1h\"");
    FOGLINE_ASSIGN_OR_RETURN(ttl, parse_duration_seconds(body["expires_in"].get<std::string>()));
  }
  FOGLINE_ASSIGN_OR_RETURN(EnrollToken t, create_enroll_token(ctx.registry->home().db(), labels, ttl, req.caller.actor()));
  Reply r;
  r.status = 201;
  r.json = {{"token", t.token}, {"expires_unix", t.expires_unix}, {"labels", labels}};
  return r;
}

Result<Reply> handle_enroll(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  for (const char* field : {"token", "sign_public", "box_public"})
    if (!body.contains(field) || !body[field].is_string())
      return invalid_argument(std::string("field '") + field + "' (string) is required");
  FOGLINE_ASSIGN_OR_RETURN(crypto::PublicKey sign_pk,
                           crypto::public_key_from_hex(body["sign_public"].get<std::string>(), "sign_public"));
  FOGLINE_ASSIGN_OR_RETURN(crypto::PublicKey box_pk,
                           crypto::public_key_from_hex(body["box_public"].get<std::string>(), "box_public"));
  auto node = redeem_enroll_token(ctx.registry->home().db(), body["token"].get<std::string>(), sign_pk, box_pk,
                                  body.value("name", std::string()));
  // The token is the credential here: a bad one is an authentication failure.
  if (!node.is_ok()) {
    Reply r;
    r.status = 401;
    r.json = {{"error", node.status().message()}};
    return r;
  }
  // Deployments made before this node existed reach it now. The node is enrolled whatever
  // happens here; its first desired-state poll tries again.
  if (ctx.deployments) {
    Status adopted = ctx.deployments->adopt(*node);
    if (!adopted.is_ok())
      std::fprintf(stderr, "fogline hub: assigning deployments to %s: %s\n", node->id.c_str(),
                   adopted.message().c_str());
  }
  Reply r;
  r.status = 201;
  r.json = {{"node_id", node->id},
            {"name", node->name},
            {"labels", node->labels},
            {"hub_public_key", to_hex(crypto::as_view(ctx.hub_key->sign_public()))}};
  return r;
}

Result<Reply> handle_list_nodes(HubContext& ctx, const RouteRequest&) {
  store::Database& db = ctx.registry->home().db();
  FOGLINE_ASSIGN_OR_RETURN(auto nodes, list_nodes(db));
  int64_t now = unix_now();
  Json list = Json::array();
  for (const auto& n : nodes) {
    FOGLINE_ASSIGN_OR_RETURN(Json status, node_status(db, *ctx.deployments, n, now, ctx.quiet_after_seconds));
    list.push_back(std::move(status));
  }
  Reply r;
  r.json = {{"quiet_after_seconds", ctx.quiet_after_seconds}, {"hub_time", now}, {"nodes", list}};
  return r;
}

Result<Reply> handle_get_node(HubContext& ctx, const RouteRequest& req) {
  store::Database& db = ctx.registry->home().db();
  FOGLINE_ASSIGN_OR_RETURN(NodeRecord n, find_node(db, req.path.at("id")));
  int64_t now = unix_now();
  Reply r;
  FOGLINE_ASSIGN_OR_RETURN(r.json, node_status(db, *ctx.deployments, n, now, ctx.quiet_after_seconds));
  r.json["quiet_after_seconds"] = ctx.quiet_after_seconds;
  r.json["hub_time"] = now;
  return r;
}

Result<Reply> handle_node_self(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(NodeRecord n, get_node(ctx.registry->home().db(), req.caller.node_id));
  Reply r;
  r.json = n.to_json();
  return r;
}

Result<Reply> handle_node_heartbeat(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  Reply r;
  r.json = {{"node_id", req.caller.node_id}, {"received", body}, {"hub_time", unix_now()}};
  return r;
}

}  // namespace fogline::hub
