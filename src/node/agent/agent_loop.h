// The agent's loop, beside the serving threads of `fogline-node`: long-poll the hub for the
// desired state (GET /api/nodes/self/desired?after=GEN&wait=S), reconcile each model (download
// the bundle resumably, as a delta against the held version when there is one; verify it with
// the hub key pinned at enrollment BEFORE anything is activated; unpack into
// DATA/models/<model>/<version>/; load; hot-swap, keeping the previous version), persist the
// active set (active_set.h), load a desired `shadow_version` beside production through the
// same download and verification (node/shadow/), and every interval report per-model metrics
// with the shadow's agreement under "shadow" (POST /api/nodes/self/report) and send telemetry (DATA/telemetry/ queue, signed POST
// /api/nodes/self/telemetry), and settle the closed batches of rented usage on the hub's ledger
// (usage_settler.h). A refused or unloadable bundle leaves the old model serving and
// is reported; with the hub unreachable the node keeps serving what it has, indefinitely.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "crypto/identity.h"
#include "node/agent/active_set.h"
#include "node/agent/hub_client.h"
#include "node/agent/node_state.h"
#include "node/agent/usage_settler.h"
#include "node/agent/variant_choice.h"
#include "node/serving/node_server.h"
#include "node/telemetry/health_collector.h"
#include "node/telemetry/link_stats.h"
#include "node/telemetry/sender.h"
#include "node/telemetry/telemetry_queue.h"
#include "node/telemetry/token_bucket.h"

namespace fogline::node::agent {

struct AgentOptions {
  int poll_wait_seconds = 30;             // the hub holds a long-poll this long (max 60)
  double report_interval_seconds = 10;    // metrics report and telemetry round
  double retry_min_seconds = 1, retry_max_seconds = 30;  // poll back-off while the hub is away
  double telemetry_bytes_per_second = 64 * 1024;          // the node's upload budget
  telemetry::QueueOptions queue;
  ClientOptions client;
  VariantBenchOptions variants;  // timing a version's variants at activation (variant_choice.h)
};

// What the agent did, for tests and the node's log.
struct AgentCounters {
  int64_t generation = 0;             // the desired-state generation last reconciled
  uint64_t activations = 0, refusals = 0, load_failures = 0;
  uint64_t bytes_downloaded = 0, bytes_saved = 0;  // saved: full size minus delta size
  uint64_t reports_sent = 0, telemetry_batches = 0, telemetry_records = 0;
  uint64_t shadows_started = 0;
  uint64_t batches_settled = 0, batches_rejected = 0;  // rented usage settled on the hub's ledger
};

class AgentLoop {
 public:
  AgentLoop(std::string data_dir, NodeState state, crypto::Identity identity, NodeServer& server,
            AgentOptions options = {});
  ~AgentLoop();
  AgentLoop(const AgentLoop&) = delete;
  AgentLoop& operator=(const AgentLoop&) = delete;

  // Loads the persisted active set into the server (previous versions first, so rollback
  // stays instant) and opens the telemetry queue. Needs no hub. A model that fails to load is
  // logged and skipped; the others still serve.
  Status restore();
  // Starts the poll thread and the report/telemetry thread.
  void start();
  // Asks both threads to end, waits for the report/telemetry one (a send in flight finishes and
  // its acknowledgement is applied) and up to `grace_seconds` for the poll; false when a long-poll
  // is still in flight (the destructor would then wait for it: a process that is exiting
  // should leave with _exit instead of waiting on the hub).
  bool stop(double grace_seconds = 2);

  AgentCounters counters() const;

  // One reconciliation of a desired-state document; public for tests. `*retry` is set when
  // a bundle could not be fetched (the hub or the link failed mid-way): the generation is then
  // not marked done, so the next poll asks again instead of waiting for a change.
  Status reconcile(const nlohmann::json& desired, bool* retry = nullptr);

 private:
  void poll_thread();
  void periodic_thread();
  // False when stopping; `for_report`: also ends early when an activation asks for a report.
  bool sleep_for(double seconds, bool for_report = false);
  // Makes `version` of `model` the serving one; `error` gets the reason when it could not.
  // `*transient`: the failure was the download's (retry later), not the bundle's (refused).
  Status activate(const nlohmann::json& entry, bool* transient);
  // A rented version (the deployment named a rental): writes the terms the hub gave for this
  // node to DATA/rentals/<model>.json, where loading picks them up, before anything is loaded,
  // so the first inference is metered. The hub's reason instead of terms (this node is not
  // one of the rental's) refuses the version: it is never served unmetered.
  Status place_rental_terms(const nlohmann::json& entry);
  // One desired-state entry: its production version, then its shadow_version (node/shadow/:
  // loaded beside production through the same download and verification, dropped when the
  // entry no longer names one). Failures land in *first_error; transient ones set *again.
  void reconcile_primary(const nlohmann::json& entry, bool* again, Status* first_error);
  void reconcile_shadow(const nlohmann::json& entry, bool* again, Status* first_error);
  Status start_shadow(const std::string& model, const std::string& version, bool* transient);
  void drop_shadow(const std::string& model);
  // The version's files under DATA/models, downloaded (as a delta from `held` when its payload
  // is kept) and verified when they are not there yet.
  Status ensure_unpacked(const std::string& model, const std::string& version, const std::string& held, bool* transient,
                         nlohmann::json* fetched);
  // `model_file`: the variant chosen_source picked, relative to the version's folder.
  ModelSource version_source(const std::string& model, const std::string& version, const std::string& model_file) const;
  static bool safe_name(const std::string& s);
  // `*fetched` gets {"bytes_downloaded", "delta", "from", "bytes_saved"} for the activation event.
  Status fetch_and_unpack(const std::string& model, const std::string& version, const std::string& held,
                          bool* transient, nlohmann::json* fetched);
  // The version's variant this node serves (timed once at first activation, variant_choice.h).
  Result<ModelSource> chosen_source(const std::string& model, const std::string& version);
  // A failed reconciliation step: retried when transient, else remembered and reported.
  void record_failure(const Status& st, bool transient, const std::string& key, bool shadow, const std::string& model,
                      const std::string& version, const std::string& unchanged, bool* again, Status* first_error);
  Status load_version(const std::string& model, const std::string& version);
  nlohmann::json report_body();
  nlohmann::json shadow_report(const std::string& model) const;  // with mu_ held; null: none
  void send_report();
  void telemetry_round(double elapsed_seconds);
  // Settles the closed batches of rented usage on the hub's ledger (usage_settler.h).
  void settle_round();
  telemetry::Transport signed_transport();  // POST /api/nodes/self/telemetry, node-signed
  void event(const std::string& kind, const nlohmann::json& body);
  void log(const std::string& line);

  std::string data_dir_;
  NodeState state_;
  crypto::Identity identity_;
  NodeServer& server_;
  AgentOptions options_;

  mutable std::mutex mu_;  // active_, failures_, counters_, baselines_
  ActiveSet active_;
  std::map<std::string, nlohmann::json> failures_;  // model -> {version, error} of the last refusal
  std::map<std::string, nlohmann::json> shadow_failures_;  // the same for shadow versions
  std::set<std::string> refused_;                  // "model@version" refused at this generation
  std::map<std::string, NodeMetrics::ModelTotals> baselines_;  // model -> totals at activation
  std::map<std::string, VariantChoice> variants_;  // "model@version" -> its chosen variant, when it had several
  AgentCounters counters_;

  std::unique_ptr<telemetry::TelemetryQueue> queue_;
  std::unique_ptr<telemetry::HealthCollector> health_;
  telemetry::LinkStats link_;
  std::unique_ptr<telemetry::TokenBucket> budget_;
  std::unique_ptr<HubClient> telemetry_client_;
  std::unique_ptr<HubClient> settle_client_;
  std::unique_ptr<UsageSettler> settler_;
  std::string settle_waiting_;  // why batches wait, last logged (logged again only when it changes)
  std::string allowance_waiting_;  // why the ledger's view of a rental was not read, last logged
  std::unique_ptr<telemetry::TelemetrySender> sender_;  // one for the process: it tracks reported drops

  std::atomic<bool> stopping_{false}, report_now_{false};
  std::mutex wake_mu_;
  std::condition_variable wake_;
  std::thread poll_, periodic_;
  std::atomic<int> running_{0};
};

}  // namespace fogline::node::agent
