// Routes about the hub itself: health, the OpenAPI document, the signing key, API tokens.
#include "core/sha256.h"
#include "hub/api_tokens.h"
#include "hub/openapi.h"
#include "hub/route.h"

namespace fogline::hub {

Result<Reply> handle_health(HubContext& ctx, const RouteRequest&) {
  Reply r;
  r.json = {{"status", "ok"}, {"version", ctx.version}};
  return r;
}

Result<Reply> handle_openapi(HubContext& ctx, const RouteRequest&) {
  Reply r;
  r.json = openapi_document(route_table(), ctx.version);
  return r;
}

Result<Reply> handle_hub_info(HubContext& ctx, const RouteRequest&) {
  Reply r;
  r.json = {{"version", ctx.version},
            {"hub_public_key", to_hex(crypto::as_view(ctx.hub_key->sign_public()))},
            {"signature_window_seconds", ctx.node_auth.window_seconds}};
  return r;
}

Result<Reply> handle_create_api_token(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  if (!body.contains("role") || !body["role"].is_string()) return invalid_argument("field 'role' (string) is required");
  FOGLINE_ASSIGN_OR_RETURN(Role role, parse_role(body["role"].get<std::string>()));
  std::string name = body.value("name", std::string("created by ") + req.caller.name);
  FOGLINE_ASSIGN_OR_RETURN(NewToken t, create_api_token(ctx.registry->home().db(), role, name));
  Reply r;
  r.status = 201;
  r.json = {{"token", t.token}, {"role", role_name(role)}, {"name", name}};
  return r;
}

}  // namespace fogline::hub
