#include <strings.h>

#include <regex>

#include "hub/route.h"

namespace fogline::hub {

// routes_telemetry.cpp
Result<Reply> handle_node_telemetry(HubContext&, const RouteRequest&);
Result<Reply> handle_get_node_telemetry(HubContext&, const RouteRequest&);
// routes_ledger.cpp
Result<Reply> handle_ledger_status(HubContext&, const RouteRequest&);
Result<Reply> handle_ledger_account(HubContext&, const RouteRequest&);
Result<Reply> handle_ledger_submit(HubContext&, const RouteRequest&);
Result<Reply> handle_ledger_blocks(HubContext&, const RouteRequest&);
Result<Reply> handle_ledger_block(HubContext&, const RouteRequest&);
Result<Reply> handle_ledger_proof(HubContext&, const RouteRequest&);
Result<Reply> handle_ledger_rental(HubContext&, const RouteRequest&);

std::string RouteRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && strncasecmp(key.c_str(), name.c_str(), name.size()) == 0) return value;
  return "";
}

Result<Json> RouteRequest::json_body() const {
  Json j = Json::parse(body.empty() ? std::string("{}") : body, nullptr, false);
  if (j.is_discarded()) return invalid_argument("request body is not JSON");
  if (!j.is_object()) return invalid_argument("request body must be a JSON object");
  return j;
}

std::vector<std::string> path_parameters(const std::string& path_template) {
  std::vector<std::string> out;
  static const std::regex kParam("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
  for (std::sregex_iterator it(path_template.begin(), path_template.end(), kParam), end; it != end; ++it)
    out.push_back((*it)[1]);
  return out;
}

std::string path_regex(const std::string& path_template) {
  static const std::regex kParam("\\{[A-Za-z_][A-Za-z0-9_]*\\}");
  return std::regex_replace(path_template, kParam, "([^/]+)");
}

const std::vector<Route>& route_table() {
  using R = Role;
  static const std::vector<Route> kRoutes = {
      {"GET", "/api/health", public_access(), "Liveness of the hub", handle_health},
      {"GET", "/api/openapi.json", public_access(), "This document", handle_openapi, {}, "", "OpenAPI 3 document"},
      {"GET", "/api/hub", public_access(), "The hub's version and bundle-signing public key", handle_hub_info},
      {"POST", "/api/tokens", user_access(R::kAdmin), "Create an API token", handle_create_api_token, {},
       "{\"role\": \"admin|developer|viewer\", \"name\": \"...\"}", "{\"token\": \"fgl_...\"} (shown once)"},
      {"GET", "/api/models", user_access(R::kViewer), "List models", handle_list_models},
      {"GET", "/api/models/{model}", user_access(R::kViewer), "A model's versions, oldest first", handle_list_versions},
      {"GET", "/api/models/{model}/versions/{version}", user_access(R::kViewer),
       "One version: lineage, artifacts, tags, stage, spec, facts", handle_get_version},
      {"GET", "/api/models/{model}/versions/{version}/history", user_access(R::kViewer),
       "The version's append-only history", handle_version_history},
      {"GET", "/api/models/{model}/versions/{version}/metrics", user_access(R::kViewer),
       "Metrics per dataset and slice", handle_version_metrics, {{"dataset", "only this dataset"}}},
      {"POST", "/api/models/{model}/versions/{version}/promote", user_access(R::kDeveloper),
       "Move the version to a stage", handle_promote, {},
       "{\"stage\": \"dev|staging|production|archived\", \"note\": \"...\"}"},
      {"POST", "/api/models/{model}/versions/{version}/tags", user_access(R::kDeveloper), "Point a tag at the version",
       handle_tag, {}, "{\"tag\": \"...\"}"},
      {"DELETE", "/api/models/{model}/tags/{tag}", user_access(R::kDeveloper), "Remove a tag", handle_untag},
      {"POST", "/api/nodes/enroll-tokens", user_access(R::kAdmin), "Create a one-time enrollment token",
       handle_create_enroll_token, {}, "{\"labels\": {\"site\": \"a\"}, \"expires_in\": \"1h\"}",
       "{\"token\": \"fge_...\", \"expires_unix\": N}"},
      {"POST", "/api/nodes/enroll", public_access(), "Enroll a node with a one-time token (the token is the credential)",
       handle_enroll, {}, "{\"token\": \"fge_...\", \"sign_public\": \"hex\", \"box_public\": \"hex\", \"name\": \"...\"}",
       "{\"node_id\": \"...\", \"labels\": {...}, \"hub_public_key\": \"hex\"}"},
      {"GET", "/api/nodes", user_access(R::kViewer),
       "Enrolled nodes with their status: ok or quiet (since, diagnosis), models, latest health and link",
       handle_list_nodes, {}, "", "{\"quiet_after_seconds\": N, \"nodes\": [node status, ...]}"},
      // Before /api/nodes/{id}: cpp-httplib takes the first pattern that matches.
      {"GET", "/api/nodes/self", node_access(), "The calling node's record", handle_node_self},
      {"POST", "/api/nodes/self/heartbeat", node_access(), "A node reports that it is alive", handle_node_heartbeat,
       {}, "{\"status\": {...}}"},
      {"GET", "/api/nodes/{id}", user_access(R::kViewer),
       "One node's status by id or name: labels, last contact, ok or quiet (since, diagnosis), models, health, link",
       handle_get_node},
      {"GET", "/api/bundles/{model}/{version}", node_or_user(R::kViewer),
       "The signed bundle (HTTP Range supported); with ?from=V a zstd patch-from delta against V",
       handle_get_bundle, {{"from", "a version of the same model the caller holds"}}, "",
       "the bundle (docs/formats/bundle.md)", "application/vnd.fogline.bundle"},
      {"GET", "/api/bundles/{model}/{version}/info", node_or_user(R::kViewer),
       "Sizes of the full bundle and of the delta from ?from=V", handle_bundle_info,
       {{"from", "a version of the same model the caller holds"}}},
      {"POST", "/api/deployments", user_access(R::kDeveloper),
       "Deploy a version to the nodes matching a selector, canary first", handle_create_deployment, {},
       "{\"model\", \"version\", \"selector\": \"site=a\", \"canary\": \"10%\" | \"canary_nodes\": [...], "
       "\"observe\": \"10m\", \"shadow\": false, \"rollback_if\": \"p99_ms>50 or error_rate>0.01\"}",
       "the deployment with its per-node assignments"},
      {"GET", "/api/deployments", user_access(R::kViewer), "Deployments, newest first", handle_list_deployments},
      {"GET", "/api/deployments/{id}", user_access(R::kViewer),
       "A deployment: state, rule, window and each node's assignment and last report", handle_get_deployment},
      {"POST", "/api/deployments/{id}/promote", user_access(R::kDeveloper),
       "Promote a canary/observing deployment to every selected node now", handle_promote_deployment, {},
       "{\"note\": \"...\"}"},
      {"POST", "/api/deployments/{id}/rollback", user_access(R::kDeveloper),
       "Roll a deployment back: its nodes return to their previous version", handle_rollback_deployment, {},
       "{\"note\": \"...\"}"},
      {"GET", "/api/nodes/self/desired", node_access(),
       "The calling node's desired models with a generation; ?after=GEN&wait=S long-polls for a change",
       handle_node_desired,
       {{"after", "the generation the node already has"}, {"wait", "seconds to wait for a newer one (max 60)"}},
       "", "{\"generation\": N, \"models\": [{model, version, bundle_url, bundle_sha256, spec, previous_version, "
           "shadow_version}]}"},
      {"POST", "/api/nodes/self/report", node_access(),
       "A node reports what it runs and per-model metrics; the hub judges canaries on them", handle_node_report, {},
       "{\"models\": [{\"model\", \"version\", \"state\": \"running|loading|failed\", \"error\", "
       "\"metrics\": {\"p50_ms\", \"p99_ms\", \"error_rate\", \"agreement\", \"requests\"}, "
       "\"shadow\": {\"version\", \"state\", \"metrics\"}}]}"},
      {"POST", "/api/nodes/self/telemetry", node_access(),
       "A node's telemetry batch (one zstd frame, docs/formats/telemetry.md); each (queue id, seq) counts once",
       handle_node_telemetry, {}, "zstd JSON {format, version, node_id, queue_id, floor_seq, dropped, records}",
       "{\"accepted\", \"duplicates\"}"},
      {"GET", "/api/nodes/{id}/telemetry", user_access(R::kDeveloper),
       "What a node sent: counts by kind, per queue (records, seq range, duplicates, drops), recent records",
       handle_get_node_telemetry, {{"kind", "only records of this kind"}, {"limit", "recent records to list (max 1000)"}}},
      {"GET", "/api/ledger", user_access(R::kViewer),
       "The embedded orderer's chain: name, economy, height, head, log size and root, counts", handle_ledger_status},
      {"GET", "/api/ledger/accounts/{account}", node_or_user(R::kViewer),
       "A ledger account by key or name: kind, next nonce (to sign its next transaction), balance",
       handle_ledger_account},
      {"GET", "/api/ledger/rentals/{rental}", node_or_user(R::kViewer),
       "A model rental: settled inferences, prepaid and paid credits, exhausted (and why), per node its settled "
       "count and allowance (a renting node reads it every round)",
       handle_ledger_rental},
      {"POST", "/api/ledger/transactions", node_or_user(R::kDeveloper),
       "Order signed transactions into one block; each committed or rejected with the reason (400: all rejected)",
       handle_ledger_submit, {}, "{\"transactions\": [\"HEX of a signed transaction (docs/formats/ledger.md)\", ...]}",
       "{\"accepted\", \"rejected\", \"height\", \"results\": [{\"id\", \"type\", \"status\", \"error\"}]}"},
      {"GET", "/api/ledger/blocks", user_access(R::kViewer), "Block headers, oldest first", handle_ledger_blocks,
       {{"from", "first height (default 0)"}, {"limit", "at most this many (1..1000, default 100)"}}},
      {"GET", "/api/ledger/blocks/{height}", user_access(R::kViewer),
       "One block: header, signature check, transactions (described and encoded), its encoding", handle_ledger_block},
      {"GET", "/api/ledger/proofs/{tx}", user_access(R::kViewer),
       "An RFC 6962 inclusion proof of a transaction; proof_file is what 'fogline ledger verify-proof' checks",
       handle_ledger_proof, {{"size", "prove against the log at this size (default: now)"}}},
      {"GET", "/metrics", public_access(),
       "Prometheus text exposition; with --metrics-token the hub wants 'Authorization: Bearer' with that token "
       "or an API token",
       handle_metrics, {}, "", "Prometheus text format 0.0.4", "text/plain; version=0.0.4"},
  };
  return kRoutes;
}

}  // namespace fogline::hub
