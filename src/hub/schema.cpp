#include "hub/schema.h"

#include <ctime>

#include "store/migrations.h"

namespace fogline::hub {

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

Status apply_hub_migrations(store::Database& db) {
  static const std::vector<store::Migration> kMigrations = {
      {1, "api tokens, enrollment tokens, nodes, nonces, bundles",
       R"sql(
CREATE TABLE hub_api_tokens (
  id {{ID}},
  token_sha256 TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'developer', 'viewer')),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE hub_nodes (
  id TEXT NOT NULL PRIMARY KEY,
  sign_public TEXT NOT NULL UNIQUE,
  box_public TEXT NOT NULL,
  name TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  enrolled_at TEXT NOT NULL,
  last_seen TEXT NOT NULL DEFAULT ''
);
CREATE TABLE hub_enroll_tokens (
  id {{ID}},
  token_sha256 TEXT NOT NULL UNIQUE,
  labels TEXT NOT NULL DEFAULT '{}',
  expires_unix BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  used_unix BIGINT NOT NULL DEFAULT 0,
  node_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE hub_node_nonces (
  node_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_unix BIGINT NOT NULL,
  PRIMARY KEY (node_id, nonce)
);
CREATE INDEX hub_node_nonces_expiry ON hub_node_nonces (expires_unix);
CREATE TABLE hub_bundles (
  payload_sha256 TEXT NOT NULL,
  base_payload_sha256 TEXT NOT NULL,
  digest TEXT NOT NULL REFERENCES artifacts(digest),
  size_bytes BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (payload_sha256, base_payload_sha256)
);
)sql",
       "", ""},
      {2, "deployments and per-node assignments",
       R"sql(
CREATE TABLE hub_deployments (
  id {{ID}},
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  selector TEXT NOT NULL DEFAULT '{}',
  canary_percent BIGINT NOT NULL DEFAULT 0,
  canary_nodes TEXT NOT NULL DEFAULT '[]',
  observe_seconds BIGINT NOT NULL,
  rollback_rule TEXT NOT NULL DEFAULT '',
  shadow BIGINT NOT NULL DEFAULT 0,
  bundle_sha256 TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('canary', 'observing', 'promoted', 'rolled_back', 'failed')),
  observe_until_unix BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE hub_assignments (
  deployment_id BIGINT NOT NULL REFERENCES hub_deployments(id),
  node_id TEXT NOT NULL REFERENCES hub_nodes(id),
  model TEXT NOT NULL,
  desired_version TEXT NOT NULL,
  previous_version TEXT NOT NULL DEFAULT '',
  canary BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'rolled_back', 'cancelled')),
  generation BIGINT NOT NULL,
  last_report TEXT NOT NULL DEFAULT '',
  reported_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (deployment_id, node_id)
);
CREATE INDEX hub_assignments_node ON hub_assignments (node_id, model);
)sql",
       "", ""},
      // Telemetry tables were first created by routes_telemetry.cpp on first use, hence IF NOT
      // EXISTS. The node columns back GET /api/nodes: last contact as a number (quiet is
      // judged on it) and the node's whole last report (also models no deployment gave it).
      {3, "telemetry tables, node status columns",
       R"sql(
CREATE TABLE IF NOT EXISTS hub_telemetry (
  node_id TEXT NOT NULL,
  queue_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  priority TEXT NOT NULL,
  kind TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  body TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (node_id, queue_id, seq)
);
CREATE TABLE IF NOT EXISTS hub_telemetry_queues (
  node_id TEXT NOT NULL,
  queue_id TEXT NOT NULL,
  floor_seq BIGINT NOT NULL DEFAULT 0,
  batches BIGINT NOT NULL DEFAULT 0,
  duplicates BIGINT NOT NULL DEFAULT 0,
  dropped TEXT NOT NULL DEFAULT '{}',
  last_batch_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (node_id, queue_id)
);
CREATE INDEX IF NOT EXISTS hub_telemetry_latest ON hub_telemetry (node_id, kind, time_ms);
ALTER TABLE hub_nodes ADD COLUMN last_seen_unix BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hub_nodes ADD COLUMN last_report TEXT NOT NULL DEFAULT '';
ALTER TABLE hub_nodes ADD COLUMN last_report_at TEXT NOT NULL DEFAULT '';
)sql",
       "", ""},
      // A deployment of a rented model names its rental (the ledger's rent start id); the hub
      // hands the nodes the rental's terms with the desired state (routes_deployments.cpp).
      {4, "deployments name a ledger rental",
       R"sql(
ALTER TABLE hub_deployments ADD COLUMN rental TEXT NOT NULL DEFAULT '';
)sql",
       "", ""},
  };
  return store::apply_migrations(db, "hub", kMigrations);
}

}  // namespace fogline::hub
