// A node's status as the hub sees it (GET /api/nodes, GET /api/nodes/{id}, /metrics): last
// contact, what it reports running, its latest health and link telemetry, and whether it has
// gone quiet — with a diagnosis of why. The rules are in docs/hub.md ("Node status"); they are
// pure functions of the stored observations so tests need no node.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/enrollment.h"
#include "store/database.h"

namespace fogline::hub {

class Deployments;

// What the hub last heard from a node, each null when nothing arrived.
struct NodeObservations {
  nlohmann::json health;  // body of the newest `health` telemetry record
  int64_t health_time_ms = 0;
  nlohmann::json link;  // body of the newest `link` telemetry record
  int64_t link_time_ms = 0;
  nlohmann::json report;  // the node's last POST /api/nodes/self/report
};

// Signs of trouble on the node itself: memory or disk nearly exhausted, a hot sensor, a model
// the node reported failed. Each entry names the number ("memory 97% used").
std::vector<std::string> node_problems(const NodeObservations& seen);

struct Diagnosis {
  std::string cause;   // network | hub | node | unknown
  std::string reason;  // one sentence naming the evidence
};

// Why a quiet node looks quiet. `window_seconds`: how close before its last contact a link
// failure still counts as "was failing" (the quiet threshold).
Diagnosis diagnose_quiet(const NodeObservations& seen, int64_t window_seconds);

// Unix time of the node's last contact: last_seen_unix, else (rows from before that column)
// last_seen, else enrollment.
int64_t last_contact_unix(const NodeRecord& node);
bool is_quiet(const NodeRecord& node, int64_t now, int64_t quiet_after_seconds);

// Reads a node's newest health and link records and its last report.
Result<NodeObservations> observe_node(store::Database& db, const NodeRecord& node);

// The status object of one node (see docs/hub.md for the fields).
Result<nlohmann::json> node_status(store::Database& db, Deployments& deployments, const NodeRecord& node, int64_t now,
                                   int64_t quiet_after_seconds);

// "2026-11-25T17:20:00Z" for a unix time (the store's format for every timestamp).
using store::iso8601_utc;

}  // namespace fogline::hub
