// Deployments: a model version rolled out to the enrolled nodes whose labels match a selector,
// first to a canary set (a percentage of the sorted node ids, or named nodes), then, after an
// observation window without its rollback rule tripping, to the rest. Each node's part is an
// assignment row (desired version, the version it replaces, state). A node's desired state is
// derived from its assignments; every change stamps the changed rows with a new generation,
// which is what a node long-polls on. Deployments, promotions and rollbacks are appended to
// the version's registry history (kind "deployment", detail.event).
//
// Not thread-safe: the hub calls it under its one database mutex; wait_for_change() releases
// that mutex while it waits.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/identity.h"
#include "hub/enrollment.h"
#include "registry/registry.h"

namespace fogline::hub {

struct NewDeployment {
  std::string model, version;  // version: any registry selector; stored resolved
  Labels selector;             // empty: every enrolled node
  int canary_percent = -1;     // 1..100, or -1
  std::vector<std::string> canary_nodes;  // node ids; with canary_percent -1 and this empty: all nodes
  int64_t observe_seconds = 600;
  std::string rollback_rule;
  bool shadow = false;
  std::string rental;  // a ledger rental (64 hex) the nodes serve the version under; "" none
  std::string actor;
};

struct Assignment {
  std::string node_id, model, desired_version, previous_version;
  bool canary = false;
  std::string state;  // waiting | active | rolled_back | cancelled
  int64_t generation = 0;
  nlohmann::json last_report;  // the node's report of this model, null until one arrives
  std::string reported_at;
};

struct Deployment {
  int64_t id = 0;
  std::string model, version;
  Labels selector;
  int canary_percent = -1;
  std::vector<std::string> canary_nodes;  // as asked for (the chosen set is in assignments)
  int64_t observe_seconds = 0;
  std::string rollback_rule;
  bool shadow = false;
  std::string rental;  // as NewDeployment
  std::string bundle_sha256;
  std::string state;  // canary | observing | promoted | rolled_back | failed
  int64_t observe_until_unix = 0;
  std::string reason;  // why it was promoted, rolled back or failed
  std::string created_by, created_at, updated_at;
  std::vector<Assignment> assignments;
  nlohmann::json to_json() const;
};

// What a node should run of one model (desired() without the bundle details).
struct DesiredModel {
  std::string model, version, previous_version, shadow_version;
  int64_t deployment = 0;
  std::string rental;  // the deployment's rental, when `version` is the version it deployed
};

class Deployments {
 public:
  using Clock = std::function<int64_t()>;  // unix seconds
  Deployments(registry::Registry& registry, const crypto::Identity& hub_key, Clock clock);

  // Reads the newest generation from the database (after the migrations ran).
  Status load();

  Result<Deployment> create(const NewDeployment& spec);
  Result<Deployment> get(int64_t id);
  Result<std::vector<Deployment>> list();  // newest first, without assignments
  // Manual promotion (from canary/observing) and rollback (from any state but rolled_back/failed).
  Result<Deployment> promote(int64_t id, const std::string& actor, const std::string& reason);
  Result<Deployment> rollback(int64_t id, const std::string& actor, const std::string& reason);

  // {"node_id", "generation", "models": [{model, version, bundle_url, bundle_sha256, spec,
  // previous_version, shadow_version, deployment[, rental: {"id": HEX}]}]} (the route adds the
  // rental's terms from the hub's ledger: routes_deployments.cpp)
  Result<nlohmann::json> desired(const std::string& node_id);
  Result<std::vector<DesiredModel>> desired_models(const std::string& node_id);
  Result<int64_t> node_generation(const std::string& node_id);

  // A node that enrolled after deployments were made gets the assignments it would have had:
  // per model, the newest promoted deployment whose selector matches its labels (active; its
  // rollback target is the promoted version before), and a canary/observing one (waiting, so
  // promotion reaches it). Only for a node without any assignment yet, so calling it on
  // enrollment and again on the node's first desired-state poll is harmless.
  Status adopt(const NodeRecord& node);

  // Stores a node's report ({"models": [{model, version, state, error, metrics, shadow}]})
  // on its assignments, then evaluates the deployments it concerns.
  Status report(const std::string& node_id, const nlohmann::json& body);
  // Evaluates every running deployment: a failed canary or a tripped rule rolls back; all
  // canaries running starts the window; an ended window promotes.
  Status tick();

  // Long-poll: waits (releasing `lock`) until the node's generation exceeds `after`, the
  // deadline passes or shutdown() is called. Returns false without waiting when
  // `max_waiters` requests already wait (the caller answers at once and asks for a retry).
  Result<bool> wait_for_change(std::unique_lock<std::mutex>& lock, const std::string& node_id, int64_t after,
                               int64_t wait_seconds);
  void set_max_waiters(int n) { max_waiters_ = n; }
  int waiters() const { return waiters_; }
  void shutdown();

 private:
  Result<Deployment> finish(Deployment d, const std::string& state, const std::string& actor, const std::string& reason);
  Result<std::vector<Assignment>> assignments(int64_t deployment_id);
  Status history(const Deployment& d, const std::string& event, const std::string& actor, nlohmann::json detail);
  void bumped(int64_t generation);
  Status evaluate(Deployment d);

  registry::Registry& registry_;
  const crypto::Identity& hub_key_;
  Clock clock_;
  int64_t generation_ = 0;
  std::condition_variable changed_;
  int waiters_ = 0;
  int max_waiters_ = 4;
  bool stopping_ = false;
};

}  // namespace fogline::hub
