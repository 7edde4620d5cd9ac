#include "hub/deployments.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "hub/bundle_cache.h"
#include "hub/rollback_rule.h"
#include "store/database.h"

namespace fogline::hub {

using Json = nlohmann::json;

namespace {

constexpr const char* kDeploymentColumns =
    "id, model, version, selector, canary_percent, canary_nodes, observe_seconds, rollback_rule, shadow, "
    "bundle_sha256, state, observe_until_unix, reason, created_by, created_at, updated_at, rental";

Json parse_or(const std::string& text, Json fallback) {
  if (text.empty()) return fallback;
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

Deployment deployment_from_row(const store::Row& r) {
  Deployment d;
  d.id = r.i(0);
  d.model = r.s(1);
  d.version = r.s(2);
  Json selector = parse_or(r.s(3), Json::object());  // named: items() must not outlive it
  for (auto& [k, v] : selector.items())
    if (v.is_string()) d.selector[k] = v.get<std::string>();
  d.canary_percent = static_cast<int>(r.i(4));
  Json canary = parse_or(r.s(5), Json::array());
  for (auto& n : canary)
    if (n.is_string()) d.canary_nodes.push_back(n.get<std::string>());
  d.observe_seconds = r.i(6);
  d.rollback_rule = r.s(7);
  d.shadow = r.i(8) != 0;
  d.bundle_sha256 = r.s(9);
  d.state = r.s(10);
  d.observe_until_unix = r.i(11);
  d.reason = r.s(12);
  d.created_by = r.s(13);
  d.created_at = r.s(14);
  d.updated_at = r.s(15);
  d.rental = r.s(16);
  return d;
}

bool matches(const Labels& labels, const Labels& selector) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

bool running_state(const std::string& s) { return s == "canary" || s == "observing"; }

// The part of a node's model report about `version`: the primary entry or its shadow.
Json report_part(const Json& entry, const std::string& version) {
  if (!entry.is_object()) return nullptr;
  if (entry.value("version", std::string()) == version) return entry;
  if (entry.contains("shadow") && entry["shadow"].is_object() &&
      entry["shadow"].value("version", std::string()) == version)
    return entry["shadow"];
  return nullptr;
}

}  // namespace

Json Deployment::to_json() const {
  Json a = Json::array();
  for (const auto& x : assignments)
    a.push_back({{"node_id", x.node_id},
                 {"desired_version", x.desired_version},
                 {"previous_version", x.previous_version},
                 {"canary", x.canary},
                 {"state", x.state},
                 {"generation", x.generation},
                 {"last_report", x.last_report},
                 {"reported_at", x.reported_at}});
  return {{"id", id},
          {"model", model},
          {"version", version},
          {"ref", model + "@" + version},
          {"selector", selector},
          {"canary_percent", canary_percent},
          {"canary_nodes", canary_nodes},
          {"observe_seconds", observe_seconds},
          {"rollback_rule", rollback_rule},
          {"shadow", shadow},
          {"rental", rental},
          {"bundle_sha256", bundle_sha256},
          {"state", state},
          {"observe_until_unix", observe_until_unix},
          {"reason", reason},
          {"created_by", created_by},
          {"created_at", created_at},
          {"updated_at", updated_at},
          {"assignments", a}};
}

Deployments::Deployments(registry::Registry& registry, const crypto::Identity& hub_key, Clock clock)
    : registry_(registry), hub_key_(hub_key), clock_(std::move(clock)) {}

Status Deployments::load() {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, registry_.home().db().query("SELECT MAX(generation) FROM hub_assignments"));
  generation_ = rows.empty() ? 0 : rows[0].i(0);
  return Status::ok();
}

void Deployments::bumped(int64_t generation) {
  generation_ = std::max(generation_, generation);
  changed_.notify_all();
}

Status Deployments::history(const Deployment& d, const std::string& event, const std::string& actor, Json detail) {
  detail["event"] = event;
  detail["deployment"] = d.id;
  return registry_.append_history(d.model + "@" + d.version, "deployment", detail, actor);
}

Result<Deployment> Deployments::create(const NewDeployment& spec) {
  store::Database& db = registry_.home().db();
  FOGLINE_ASSIGN_OR_RETURN(RollbackRule rule, RollbackRule::parse(spec.rollback_rule));
  if (spec.observe_seconds < 0) return invalid_argument("observe window must not be negative");
  if (spec.canary_percent != -1 && (spec.canary_percent < 1 || spec.canary_percent > 100))
    return invalid_argument("canary percentage must be 1..100, got " + std::to_string(spec.canary_percent));
  if (spec.canary_percent != -1 && !spec.canary_nodes.empty())
    return invalid_argument("give a canary percentage or canary nodes, not both");
  FOGLINE_ASSIGN_OR_RETURN(registry::VersionRecord v, registry_.get(spec.model + "@" + spec.version));
  FOGLINE_ASSIGN_OR_RETURN(auto running,
                           db.query("SELECT id, state FROM hub_deployments WHERE model = ? AND state IN ('canary', "
                                    "'observing') ORDER BY id",
                                    {v.model}));
  if (!running.empty())
    return invalid_argument("deployment " + std::to_string(running[0].i(0)) + " of " + v.model + " is still " +
                            running[0].s(1) + ": promote or roll it back first");

  FOGLINE_ASSIGN_OR_RETURN(auto nodes, list_nodes(db));  // sorted by id
  std::vector<std::string> selected;
  for (const auto& n : nodes)
    if (matches(n.labels, spec.selector)) selected.push_back(n.id);
  if (selected.empty()) return invalid_argument("the selector matches no enrolled node");
  std::set<std::string> canary;
  if (!spec.canary_nodes.empty()) {
    for (const auto& c : spec.canary_nodes) {
      if (std::find(selected.begin(), selected.end(), c) == selected.end())
        return invalid_argument("canary node '" + c + "' is not an enrolled node matching the selector");
      canary.insert(c);
    }
  } else if (spec.canary_percent != -1) {
    // Deterministic: the first ceil(p * n) of the sorted node ids.
    size_t count = (static_cast<size_t>(spec.canary_percent) * selected.size() + 99) / 100;
    canary.insert(selected.begin(), selected.begin() + static_cast<std::ptrdiff_t>(std::max<size_t>(1, count)));
  } else {
    canary.insert(selected.begin(), selected.end());
  }
  // The bundle is built now, so its hash can be handed out and a broken artifact fails here.
  FOGLINE_ASSIGN_OR_RETURN(StoredBundle bundle, get_bundle(registry_, hub_key_, v.ref(), ""));

  // What each node runs now is what the new deployment replaces (and rolls back to).
  std::map<std::string, std::string> previous;
  for (const auto& id : selected) {
    FOGLINE_ASSIGN_OR_RETURN(Json now, desired(id));
    for (const auto& m : now["models"])
      if (m["model"] == v.model) previous[id] = m["version"].get<std::string>();
  }

  FOGLINE_ASSIGN_OR_RETURN(auto tx, store::Transaction::begin(db));
  std::string now_iso = store::utc_now_iso8601();
  Json canary_json = spec.canary_nodes;
  FOGLINE_ASSIGN_OR_RETURN(
      auto inserted,
      db.query(std::string("INSERT INTO hub_deployments (model, version, selector, canary_percent, canary_nodes, "
                           "observe_seconds, rollback_rule, shadow, bundle_sha256, state, created_by, created_at, "
                           "updated_at, rental) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'canary', ?, ?, ?, ?) RETURNING id"),
               {v.model, v.version, Json(spec.selector).dump(), spec.canary_percent, canary_json.dump(),
                spec.observe_seconds, rule.text(), spec.shadow ? 1 : 0, bundle.digest, spec.actor, now_iso, now_iso,
                spec.rental}));
  if (inserted.empty()) return internal_error("inserting the deployment returned no id");
  int64_t id = inserted[0].i(0);
  int64_t gen = generation_ + 1;
  for (const auto& node : selected) {
    bool is_canary = canary.count(node) > 0;
    FOGLINE_TRY(db.execute("INSERT INTO hub_assignments (deployment_id, node_id, model, desired_version, "
                           "previous_version, canary, state, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           {id, node, v.model, v.version, previous[node], is_canary ? 1 : 0,
                            is_canary ? "active" : "waiting", gen})
                    .status());
  }
  FOGLINE_ASSIGN_OR_RETURN(Deployment d, get(id));
  FOGLINE_TRY(history(d, "created", spec.actor,
                      {{"selector", spec.selector},
                       {"canary", std::vector<std::string>(canary.begin(), canary.end())},
                       {"nodes", selected},
                       {"observe_seconds", spec.observe_seconds},
                       {"rollback_rule", rule.text()},
                       {"shadow", spec.shadow},
                       {"rental", spec.rental}}));
  FOGLINE_TRY(tx.commit());
  bumped(gen);
  return d;
}

Result<std::vector<Assignment>> Deployments::assignments(int64_t deployment_id) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, registry_.home().db().query(
                                          "SELECT node_id, model, desired_version, previous_version, canary, state, "
                                          "generation, last_report, reported_at FROM hub_assignments "
                                          "WHERE deployment_id = ? ORDER BY node_id",
                                          {deployment_id}));
  std::vector<Assignment> out;
  for (const auto& r : rows) {
    Assignment a;
    a.node_id = r.s(0);
    a.model = r.s(1);
    a.desired_version = r.s(2);
    a.previous_version = r.s(3);
    a.canary = r.i(4) != 0;
    a.state = r.s(5);
    a.generation = r.i(6);
    a.last_report = parse_or(r.s(7), nullptr);
    a.reported_at = r.s(8);
    out.push_back(std::move(a));
  }
  return out;
}

Result<Deployment> Deployments::get(int64_t id) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, registry_.home().db().query(
                                          std::string("SELECT ") + kDeploymentColumns + " FROM hub_deployments WHERE id = ?",
                                          {id}));
  if (rows.empty()) return not_found("no deployment " + std::to_string(id));
  Deployment d = deployment_from_row(rows[0]);
  FOGLINE_ASSIGN_OR_RETURN(d.assignments, assignments(id));
  return d;
}

Result<std::vector<Deployment>> Deployments::list() {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, registry_.home().db().query(std::string("SELECT ") + kDeploymentColumns +
                                                                  " FROM hub_deployments ORDER BY id DESC"));
  std::vector<Deployment> out;
  for (const auto& r : rows) out.push_back(deployment_from_row(r));
  return out;
}

Result<Deployment> Deployments::finish(Deployment d, const std::string& state, const std::string& actor,
                                       const std::string& reason) {
  store::Database& db = registry_.home().db();
  FOGLINE_ASSIGN_OR_RETURN(auto tx, store::Transaction::begin(db));
  int64_t gen = generation_ + 1;
  if (state == "promoted") {
    FOGLINE_TRY(db.execute("UPDATE hub_assignments SET state = 'active', generation = ? WHERE deployment_id = ? AND "
                           "state = 'waiting'",
                           {gen, d.id})
                    .status());
    // A shadow version becomes the primary one: the canaries' desired state changes too.
    if (d.shadow)
      FOGLINE_TRY(db.execute("UPDATE hub_assignments SET generation = ? WHERE deployment_id = ? AND state = 'active'",
                             {gen, d.id})
                      .status());
  } else {
    FOGLINE_TRY(db.execute("UPDATE hub_assignments SET state = 'rolled_back', generation = ? WHERE deployment_id = ? "
                           "AND state = 'active'",
                           {gen, d.id})
                    .status());
    FOGLINE_TRY(db.execute("UPDATE hub_assignments SET state = 'cancelled', generation = ? WHERE deployment_id = ? "
                           "AND state = 'waiting'",
                           {gen, d.id})
                    .status());
  }
  FOGLINE_TRY(db.execute("UPDATE hub_deployments SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                         {state, reason, store::utc_now_iso8601(), d.id})
                  .status());
  std::string from = d.state;
  d.state = state;
  FOGLINE_TRY(history(d, state, actor, {{"from", from}, {"reason", reason}}));
  FOGLINE_TRY(tx.commit());
  bumped(gen);
  return get(d.id);
}

Result<Deployment> Deployments::promote(int64_t id, const std::string& actor, const std::string& reason) {
  FOGLINE_ASSIGN_OR_RETURN(Deployment d, get(id));
  if (!running_state(d.state))
    return invalid_argument("deployment " + std::to_string(id) + " is " + d.state + ": only a canary or observing one is promoted");
  return finish(std::move(d), "promoted", actor, reason);
}

Result<Deployment> Deployments::rollback(int64_t id, const std::string& actor, const std::string& reason) {
  FOGLINE_ASSIGN_OR_RETURN(Deployment d, get(id));
  if (d.state == "rolled_back" || d.state == "failed")
    return invalid_argument("deployment " + std::to_string(id) + " is already " + d.state);
  // Rolling back anything but the newest deployment of the model would hand nodes an older
  // "previous" than what a later deployment installed.
  FOGLINE_ASSIGN_OR_RETURN(auto newer, registry_.home().db().query(
                                           "SELECT id FROM hub_deployments WHERE model = ? AND id > ? AND state IN "
                                           "('canary', 'observing', 'promoted')",
                                           {d.model, d.id}));
  if (!newer.empty())
    return invalid_argument("deployment " + std::to_string(newer[0].i(0)) + " of " + d.model +
                            " is newer: roll that one back instead");
  return finish(std::move(d), "rolled_back", actor, reason);
}

Result<std::vector<DesiredModel>> Deployments::desired_models(const std::string& node_id) {
  store::Database& db = registry_.home().db();
  FOGLINE_ASSIGN_OR_RETURN(
      auto rows,
      db.query("SELECT a.model, a.desired_version, a.previous_version, a.state, d.state, d.shadow, d.id, d.rental "
               "FROM hub_assignments a JOIN hub_deployments d ON d.id = a.deployment_id "
               "WHERE a.node_id = ? AND a.state IN ('active', 'rolled_back') ORDER BY a.deployment_id DESC",
               {node_id}));
  std::set<std::string> seen;
  std::vector<DesiredModel> out;
  for (const auto& r : rows) {
    DesiredModel m;
    m.model = r.s(0);
    if (!seen.insert(m.model).second) continue;  // the newest deployment of a model decides
    std::string desired = r.s(1), previous = r.s(2), a_state = r.s(3), d_state = r.s(4);
    bool shadow = r.i(5) != 0;
    if (a_state == "rolled_back") {
      m.version = previous;  // back to what the node ran before; nothing when it ran nothing
    } else if (shadow && d_state != "promoted") {
      m.version = previous;
      m.shadow_version = desired;
    } else {
      m.version = desired;
      m.previous_version = previous;
    }
    if (m.version.empty() && m.shadow_version.empty()) continue;
    m.deployment = r.i(6);
    // The rental goes with the version this deployment brought; a rollback or an unpromoted
    // shadow serves another one, whose terms the node already holds.
    if (m.version == desired) m.rental = r.s(7);
    out.push_back(std::move(m));
  }
  return out;
}

Result<Json> Deployments::desired(const std::string& node_id) {
  FOGLINE_ASSIGN_OR_RETURN(std::vector<DesiredModel> wanted, desired_models(node_id));
  Json models = Json::array();
  for (const auto& m : wanted) {
    Json entry = {{"model", m.model},
                  {"version", m.version},
                  {"previous_version", m.previous_version},
                  {"shadow_version", m.shadow_version},
                  {"deployment", m.deployment}};
    if (!m.rental.empty()) entry["rental"] = {{"id", m.rental}};
    auto describe_version = [&](const std::string& v, const std::string& prefix) -> Status {
      FOGLINE_ASSIGN_OR_RETURN(registry::VersionRecord rec, registry_.get(m.model + "@" + v));
      FOGLINE_ASSIGN_OR_RETURN(StoredBundle b, get_bundle(registry_, hub_key_, rec.ref(), ""));
      entry[prefix + "bundle_url"] = "/api/bundles/" + m.model + "/" + v;
      entry[prefix + "bundle_sha256"] = b.digest;
      entry[prefix + "bundle_size"] = b.size;
      entry[prefix + "spec"] = rec.processing_spec;
      return Status::ok();
    };
    if (!m.version.empty()) FOGLINE_TRY(describe_version(m.version, ""));
    if (!m.shadow_version.empty()) FOGLINE_TRY(describe_version(m.shadow_version, "shadow_"));
    models.push_back(entry);
  }
  FOGLINE_ASSIGN_OR_RETURN(int64_t gen, node_generation(node_id));
  return Json{{"node_id", node_id}, {"generation", gen}, {"models", models}};
}

Status Deployments::adopt(const NodeRecord& node) {
  store::Database& db = registry_.home().db();
  FOGLINE_ASSIGN_OR_RETURN(auto had, db.query("SELECT COUNT(*) FROM hub_assignments WHERE node_id = ?", {node.id}));
  if (!had.empty() && had[0].i(0) > 0) return Status::ok();
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query(std::string("SELECT ") + kDeploymentColumns +
                                               " FROM hub_deployments WHERE state IN ('promoted', 'canary', "
                                               "'observing') ORDER BY id DESC"));
  // Per model, newest first: a running deployment (only ever the newest of its model), the
  // newest promoted one, and the promoted version before that (the rollback target).
  struct Pick {
    const Deployment* running = nullptr;
    const Deployment* promoted = nullptr;
    std::string before;
  };
  std::vector<Deployment> deployments;
  for (const auto& r : rows) deployments.push_back(deployment_from_row(r));
  std::map<std::string, Pick> picks;
  for (const auto& d : deployments) {
    if (!matches(node.labels, d.selector)) continue;
    Pick& p = picks[d.model];
    if (running_state(d.state)) {
      if (!p.running && !p.promoted) p.running = &d;
    } else if (!p.promoted) {
      p.promoted = &d;
    } else if (p.before.empty() && d.version != p.promoted->version) {
      p.before = d.version;
    }
  }
  if (picks.empty()) return Status::ok();
  FOGLINE_ASSIGN_OR_RETURN(auto tx, store::Transaction::begin(db));
  int64_t gen = generation_ + 1;
  for (const auto& [model, p] : picks) {
    std::string runs;
    if (p.promoted) {
      FOGLINE_TRY(db.execute("INSERT INTO hub_assignments (deployment_id, node_id, model, desired_version, "
                             "previous_version, canary, state, generation) VALUES (?, ?, ?, ?, ?, 0, 'active', ?)",
                             {p.promoted->id, node.id, model, p.promoted->version, p.before, gen})
                      .status());
      runs = p.promoted->version;
    }
    // A rollout under way reaches the late node with its promotion, as any non-canary node.
    if (p.running)
      FOGLINE_TRY(db.execute("INSERT INTO hub_assignments (deployment_id, node_id, model, desired_version, "
                             "previous_version, canary, state, generation) VALUES (?, ?, ?, ?, ?, 0, 'waiting', ?)",
                             {p.running->id, node.id, model, p.running->version, runs, gen})
                      .status());
  }
  FOGLINE_TRY(tx.commit());
  bumped(gen);
  return Status::ok();
}

Result<int64_t> Deployments::node_generation(const std::string& node_id) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, registry_.home().db().query(
                                          "SELECT MAX(generation) FROM hub_assignments WHERE node_id = ?", {node_id}));
  return rows.empty() ? int64_t{0} : rows[0].i(0);
}

Status Deployments::report(const std::string& node_id, const Json& body) {
  if (!body.contains("models") || !body["models"].is_array())
    return invalid_argument("field 'models' (array of {model, version, state, metrics}) is required");
  store::Database& db = registry_.home().db();
  std::set<int64_t> touched;
  for (const auto& entry : body["models"]) {
    if (!entry.is_object() || !entry.contains("model") || !entry["model"].is_string())
      return invalid_argument("every entry of 'models' needs a string 'model'");
    if (entry.contains("metrics") && !entry["metrics"].is_object())
      return invalid_argument("'metrics' of model '" + entry["model"].get<std::string>() + "' must be an object");
    // The report belongs to the node's newest assignment of the model.
    FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT deployment_id FROM hub_assignments WHERE node_id = ? AND "
                                                 "model = ? ORDER BY deployment_id DESC LIMIT 1",
                                                 {node_id, entry["model"].get<std::string>()}));
    if (rows.empty()) continue;  // a model no deployment gave it: nothing to judge
    FOGLINE_TRY(db.execute("UPDATE hub_assignments SET last_report = ?, reported_at = ? WHERE deployment_id = ? AND "
                           "node_id = ?",
                           {entry.dump(), store::utc_now_iso8601(), rows[0].i(0), node_id})
                    .status());
    touched.insert(rows[0].i(0));
  }
  for (int64_t id : touched) {
    FOGLINE_ASSIGN_OR_RETURN(Deployment d, get(id));
    FOGLINE_TRY(evaluate(std::move(d)));
  }
  return Status::ok();
}

Status Deployments::evaluate(Deployment d) {
  if (!running_state(d.state)) return Status::ok();
  FOGLINE_ASSIGN_OR_RETURN(RollbackRule rule, RollbackRule::parse(d.rollback_rule));
  bool all_running = true;
  for (const auto& a : d.assignments) {
    if (!a.canary || a.state != "active") continue;
    Json part = report_part(a.last_report, d.version);
    if (part.is_null()) {
      all_running = false;
      continue;
    }
    std::string state = part.value("state", std::string("running"));
    if (state == "failed")
      return finish(d, "failed", "hub",
                    "node " + a.node_id + " could not run " + d.version + ": " + part.value("error", std::string("?")))
          .status();
    std::string why;
    if (part.contains("metrics") && rule.trips(part["metrics"], &why))
      return finish(d, "rolled_back", "hub", "rule '" + d.rollback_rule + "' tripped on " + a.node_id + ": " + why)
          .status();
    if (state != "running") all_running = false;
  }
  int64_t now = clock_();
  if (d.state == "canary" && all_running) {
    // The window starts once every canary runs the version, so download time does not eat it.
    FOGLINE_TRY(registry_.home().db()
                    .execute("UPDATE hub_deployments SET state = 'observing', observe_until_unix = ?, updated_at = ? "
                             "WHERE id = ?",
                             {now + d.observe_seconds, store::utc_now_iso8601(), d.id})
                    .status());
    d.state = "observing";
    d.observe_until_unix = now + d.observe_seconds;
  }
  if (d.state == "observing" && now >= d.observe_until_unix)
    return finish(d, "promoted", "hub", "observe window of " + std::to_string(d.observe_seconds) + " s ended").status();
  return Status::ok();
}

Status Deployments::tick() {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, registry_.home().db().query(
                                          "SELECT id FROM hub_deployments WHERE state IN ('canary', 'observing') ORDER BY id"));
  for (const auto& r : rows) {
    FOGLINE_ASSIGN_OR_RETURN(Deployment d, get(r.i(0)));
    FOGLINE_TRY(evaluate(std::move(d)));
  }
  return Status::ok();
}

Result<bool> Deployments::wait_for_change(std::unique_lock<std::mutex>& lock, const std::string& node_id, int64_t after,
                                          int64_t wait_seconds) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t gen, node_generation(node_id));
  if (gen > after || wait_seconds <= 0 || stopping_) return true;
  if (waiters_ >= max_waiters_) return false;
  ++waiters_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  Status st = Status::ok();
  // The global generation only says that something changed; the node's own is re-read then.
  int64_t seen = generation_;
  while (!stopping_) {
    if (!changed_.wait_until(lock, deadline, [&] { return stopping_ || generation_ != seen; })) break;
    if (stopping_) break;
    seen = generation_;
    auto g = node_generation(node_id);
    if (!g.is_ok()) {
      st = g.status();
      break;
    }
    if (*g > after) break;
  }
  --waiters_;
  if (!st.is_ok()) return st;
  return true;
}

void Deployments::shutdown() {
  stopping_ = true;
  changed_.notify_all();
}

}  // namespace fogline::hub
