// Enrollment: an admin makes a one-time token carrying the node's labels; a node redeems it
// with its public keys and becomes a row in hub_nodes. Redeeming marks the token used in the
// same statement that checks it is unused, so two nodes racing with one token get one node.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/identity.h"
#include "store/database.h"

namespace fogline::hub {

using Labels = std::map<std::string, std::string>;

// "site=a,camera=3" -> {site: a, camera: 3}; names the malformed pair.
Result<Labels> parse_labels(const std::string& text);
// "90s", "10m", "1h", "2d", or plain seconds.
Result<int64_t> parse_duration_seconds(const std::string& text);

struct EnrollToken {
  std::string token;  // printed once
  int64_t expires_unix = 0;
};

Result<EnrollToken> create_enroll_token(store::Database& db, const Labels& labels, int64_t ttl_seconds,
                                        const std::string& created_by);

struct NodeRecord {
  std::string id;
  std::string name;
  std::string sign_public;  // hex
  std::string box_public;   // hex
  Labels labels;
  std::string enrolled_at, last_seen;
  int64_t last_seen_unix = 0;       // 0: never heard from since enrollment (older hubs)
  nlohmann::json last_report;       // the node's whole last report, null until one arrives
  std::string last_report_at;
  nlohmann::json to_json() const;
};

// One transaction: checks the token (known, unused, unexpired), marks it used and inserts the
// node. Errors say which check failed.
Result<NodeRecord> redeem_enroll_token(store::Database& db, const std::string& token, const crypto::PublicKey& sign_public,
                                       const crypto::PublicKey& box_public, const std::string& name);

Result<std::vector<NodeRecord>> list_nodes(store::Database& db);
Result<NodeRecord> get_node(store::Database& db, const std::string& node_id);
// A node by id, or by name when no id matches (a name shared by two nodes is refused, naming
// their ids).
Result<NodeRecord> find_node(store::Database& db, const std::string& id_or_name);
// Any signed request is contact: last_seen (ISO 8601) and last_seen_unix.
Status touch_node(store::Database& db, const std::string& node_id);
// Keeps the node's whole report (POST /api/nodes/self/report) for its status.
Status record_node_report(store::Database& db, const std::string& node_id, const nlohmann::json& report);

// "node-" + the first 16 hex characters of SHA-256(Ed25519 public key): stable for a key.
std::string node_id_for(const crypto::PublicKey& sign_public);

}  // namespace fogline::hub
