// Routes for deployments (users) and for a node's desired state and reports (signed nodes).
#include <algorithm>
#include <cctype>
#include <optional>

#include "hub/deployments.h"
#include "hub/hub_ledger.h"
#include "hub/route.h"
#include "ledger/rental_view.h"

namespace fogline::hub {
namespace {

// Long-poll bounds: a node waits at most this long per request; see docs/hub.md for the
// thread budget.
constexpr int64_t kMaxWaitSeconds = 60;
constexpr int64_t kRetryAfterSeconds = 5;

Result<int64_t> deployment_id(const RouteRequest& req) {
  const std::string& text = req.path.at("id");
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return invalid_argument("deployment id '" + text + "' is not a number");
  return std::stoll(text);
}

Result<int64_t> query_int(const RouteRequest& req, const std::string& key) {
  std::string text = req.query_or(key, "0");
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return invalid_argument("query parameter '" + key + "' must be a non-negative integer, got '" + text + "'");
  return std::stoll(text);
}

Result<std::string> optional_string(const Json& body, const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::string();
  if (!body[field].is_string()) return invalid_argument(std::string("field '") + field + "' must be a string");
  return body[field].get<std::string>();
}

Result<NewDeployment> parse_new_deployment(const Json& body, const Caller& caller) {
  NewDeployment d;
  FOGLINE_ASSIGN_OR_RETURN(d.model, optional_string(body, "model"));
  FOGLINE_ASSIGN_OR_RETURN(d.version, optional_string(body, "version"));
  if (d.model.empty() || d.version.empty()) return invalid_argument("fields 'model' and 'version' (strings) are required");
  if (body.contains("selector")) {
    if (body["selector"].is_string()) {
      if (!body["selector"].get<std::string>().empty()) {
        FOGLINE_ASSIGN_OR_RETURN(d.selector, parse_labels(body["selector"].get<std::string>()));
      }
    } else if (body["selector"].is_object()) {
      for (auto& [k, v] : body["selector"].items()) {
        if (!v.is_string()) return invalid_argument("selector label '" + k + "' must be a string");
        d.selector[k] = v.get<std::string>();
      }
    } else {
      return invalid_argument("field 'selector' must be \"k=v,...\" or an object of strings");
    }
  }
  FOGLINE_ASSIGN_OR_RETURN(std::string canary, optional_string(body, "canary"));
  if (!canary.empty()) {
    std::string digits = canary.back() == '%' ? canary.substr(0, canary.size() - 1) : canary;
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return invalid_argument("canary '" + canary + "' is not a percentage like 10%");
    d.canary_percent = std::stoi(digits);
  }
  if (body.contains("canary_nodes")) {
    if (!body["canary_nodes"].is_array()) return invalid_argument("field 'canary_nodes' must be an array of node ids");
    for (const auto& n : body["canary_nodes"]) {
      if (!n.is_string()) return invalid_argument("field 'canary_nodes' must be an array of node ids");
      d.canary_nodes.push_back(n.get<std::string>());
    }
  }
  FOGLINE_ASSIGN_OR_RETURN(std::string observe, optional_string(body, "observe"));
  if (!observe.empty()) {
    FOGLINE_ASSIGN_OR_RETURN(d.observe_seconds, parse_duration_seconds(observe));
  }
  FOGLINE_ASSIGN_OR_RETURN(d.rollback_rule, optional_string(body, "rollback_if"));
  if (body.contains("shadow")) {
    if (!body["shadow"].is_boolean()) return invalid_argument("field 'shadow' must be true or false");
    d.shadow = body["shadow"].get<bool>();
  }
  FOGLINE_ASSIGN_OR_RETURN(d.rental, optional_string(body, "rental"));
  d.actor = caller.actor();
  return d;
}

// A deployment's rental must be one the hub's ledger holds: the hub fills its terms in.
Result<std::string> checked_rental(HubContext& ctx, const std::string& rental) {
  if (!ctx.ledger)
    return invalid_argument("a deployment with a rental needs a hub that runs the ledger (fogline hub --ledger-home L): "
                            "it hands the nodes the rental's terms from it");
  FOGLINE_ASSIGN_OR_RETURN(ledger::Hash id, ledger::hash_from_hex(rental, "rental id"));
  if (!ctx.ledger->ledger->state().rental(id)) return not_found("no rental " + rental + " on the hub's ledger");
  return ledger::hash_hex(id);
}

// The terms a node serves a rented version under, from the ledger as it stands (the node's
// enrollment key is its ledger account). A node the rental does not name gets the reason
// instead, and refuses the version rather than serve it unmetered or under another's terms.
void add_rental_terms(HubContext& ctx, const std::string& node_id, Json& desired) {
  if (!desired.contains("models")) return;
  std::optional<Result<crypto::PublicKey>> key;  // the node's, looked up once, when a rental needs it
  for (auto& entry : desired["models"]) {
    if (!entry.contains("rental")) continue;
    Json& rental = entry["rental"];
    const std::string id = rental.value("id", std::string());
    if (!ctx.ledger) {
      rental["error"] = "the hub runs no ledger now, so it cannot give the terms of rental " + id;
      continue;
    }
    if (!key) {
      auto node = get_node(ctx.registry->home().db(), node_id);
      key = node.is_ok() ? crypto::public_key_from_hex(node->sign_public, "node key") : Result<crypto::PublicKey>(node.status());
    }
    auto hash = ledger::hash_from_hex(id, "rental id");
    if (!key->is_ok() || !hash.is_ok()) {
      rental["error"] = !key->is_ok() ? key->status().message() : hash.status().message();
      continue;
    }
    auto terms = ledger::rental_terms_for(ctx.ledger->ledger->state(), *hash, **key);
    if (terms.is_ok()) rental["terms"] = std::move(terms).value();
    else rental["error"] = terms.status().message();
  }
}

Reply json_reply(Json j, int status = 200) {
  Reply r;
  r.status = status;
  r.json = std::move(j);
  return r;
}

}  // namespace

Result<Reply> handle_create_deployment(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  FOGLINE_ASSIGN_OR_RETURN(NewDeployment spec, parse_new_deployment(body, req.caller));
  if (!spec.rental.empty()) {
    FOGLINE_ASSIGN_OR_RETURN(spec.rental, checked_rental(ctx, spec.rental));
  }
  FOGLINE_ASSIGN_OR_RETURN(Deployment d, ctx.deployments->create(spec));
  return json_reply(d.to_json(), 201);
}

Result<Reply> handle_list_deployments(HubContext& ctx, const RouteRequest&) {
  FOGLINE_ASSIGN_OR_RETURN(auto list, ctx.deployments->list());
  Json out = Json::array();
  for (const auto& d : list) {
    Json j = d.to_json();
    j.erase("assignments");
    out.push_back(j);
  }
  return json_reply({{"deployments", out}});
}

Result<Reply> handle_get_deployment(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, deployment_id(req));
  FOGLINE_ASSIGN_OR_RETURN(Deployment d, ctx.deployments->get(id));
  return json_reply(d.to_json());
}

Result<Reply> handle_promote_deployment(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, deployment_id(req));
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  FOGLINE_ASSIGN_OR_RETURN(std::string note, optional_string(body, "note"));
  FOGLINE_ASSIGN_OR_RETURN(Deployment d, ctx.deployments->promote(id, req.caller.actor(), note.empty() ? "promoted by hand" : note));
  return json_reply(d.to_json());
}

Result<Reply> handle_rollback_deployment(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, deployment_id(req));
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  FOGLINE_ASSIGN_OR_RETURN(std::string note, optional_string(body, "note"));
  FOGLINE_ASSIGN_OR_RETURN(Deployment d,
                           ctx.deployments->rollback(id, req.caller.actor(), note.empty() ? "rolled back by hand" : note));
  return json_reply(d.to_json());
}

Result<Reply> handle_node_desired(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t after, query_int(req, "after"));
  FOGLINE_ASSIGN_OR_RETURN(int64_t wait, query_int(req, "wait"));
  wait = std::min(wait, kMaxWaitSeconds);
  bool waited = true;
  if (!req.has_query("after")) {
    // A node that enrolled while its deployments' adoption failed gets them on the poll it
    // starts with (no generation yet); the long-polls that follow need not look again.
    FOGLINE_ASSIGN_OR_RETURN(NodeRecord node, get_node(ctx.registry->home().db(), req.caller.node_id));
    FOGLINE_TRY(ctx.deployments->adopt(node));
  }
  if (req.has_query("after") && wait > 0) {
    if (req.lock == nullptr) return internal_error("long-poll without the server's lock");
    FOGLINE_ASSIGN_OR_RETURN(waited, ctx.deployments->wait_for_change(*req.lock, req.caller.node_id, after, wait));
    // A node holding a long-poll is connected the whole time: its contact is the answer's time
    // too, so a quiet threshold shorter than the wait does not flag a node that is waiting.
    FOGLINE_TRY(touch_node(ctx.registry->home().db(), req.caller.node_id));
  }
  FOGLINE_ASSIGN_OR_RETURN(Json desired, ctx.deployments->desired(req.caller.node_id));
  add_rental_terms(ctx, req.caller.node_id, desired);
  Reply r = json_reply(std::move(desired));
  if (!waited) {
    // Every long-poll slot is taken: answer now and tell the node when to ask again.
    r.json["retry_after"] = kRetryAfterSeconds;
    r.headers["Retry-After"] = std::to_string(kRetryAfterSeconds);
  }
  return r;
}

Result<Reply> handle_node_report(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  FOGLINE_TRY(ctx.deployments->report(req.caller.node_id, body));
  FOGLINE_TRY(record_node_report(ctx.registry->home().db(), req.caller.node_id, body));
  FOGLINE_ASSIGN_OR_RETURN(int64_t gen, ctx.deployments->node_generation(req.caller.node_id));
  return json_reply({{"node_id", req.caller.node_id}, {"generation", gen}});
}

}  // namespace fogline::hub
