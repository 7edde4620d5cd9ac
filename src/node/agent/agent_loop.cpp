#include "node/agent/agent_loop.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/file_util.h"
#include "core/version.h"
#include "node/agent/bundle_reader.h"
#include "node/rental/rental_terms.h"
#include "node/telemetry/clock.h"
#include "node/telemetry/collect.h"
#include "node/telemetry/sender.h"

namespace fogline::node::agent {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kPayloadFile = "bundle.payload";  // the base of the next delta

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double quantile_ms(const NodeMetrics::ModelTotals& t, double q) { return histogram_quantile_ms(t.buckets, q); }

// A string field of a desired-state entry; "" when absent or not a string (nlohmann's value()
// would throw on a type mismatch, and the poll thread must not die on the hub's mistake).
std::string text_field(const Json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

NodeMetrics::ModelTotals minus(const NodeMetrics::ModelTotals& a, const NodeMetrics::ModelTotals& b) {
  NodeMetrics::ModelTotals d;
  d.requests = a.requests >= b.requests ? a.requests - b.requests : 0;
  d.errors = a.errors >= b.errors ? a.errors - b.errors : 0;
  for (size_t i = 0; i < d.buckets.size(); ++i) d.buckets[i] = a.buckets[i] >= b.buckets[i] ? a.buckets[i] - b.buckets[i] : 0;
  return d;
}

}  // namespace

AgentLoop::AgentLoop(std::string data_dir, NodeState state, crypto::Identity identity, NodeServer& server,
                     AgentOptions options)
    : data_dir_(std::move(data_dir)),
      state_(std::move(state)),
      identity_(std::move(identity)),
      server_(server),
      options_(std::move(options)) {}

AgentLoop::~AgentLoop() {
  stopping_ = true;
  wake_.notify_all();
  if (poll_.joinable()) poll_.join();
  if (periodic_.joinable()) periodic_.join();
}

void AgentLoop::log(const std::string& line) { std::fprintf(stderr, "agent: %s\n", line.c_str()); }

void AgentLoop::event(const std::string& kind, const Json& body) {
  if (!queue_) return;
  Status st = telemetry::record_event(*queue_, kind, body, telemetry::unix_time_ms());
  if (!st.is_ok()) log("telemetry: " + st.message());
}

Status AgentLoop::restore() {
  FOGLINE_ASSIGN_OR_RETURN(ActiveSet set, load_active_set(data_dir_));
  FOGLINE_ASSIGN_OR_RETURN(queue_, telemetry::TelemetryQueue::open(data_dir_ + "/telemetry", options_.queue));
  health_ = std::make_unique<telemetry::HealthCollector>(
      data_dir_, std::map<std::string, std::string>{{"fogline-node", kVersion}});
  budget_ = std::make_unique<telemetry::TokenBucket>(options_.telemetry_bytes_per_second,
                                                     options_.telemetry_bytes_per_second * 4, telemetry::system_clock());
  telemetry_client_ = std::make_unique<HubClient>(state_.hub_url, state_.node_id, identity_, options_.client);
  settle_client_ = std::make_unique<HubClient>(state_.hub_url, state_.node_id, identity_, options_.client);
  settler_ = std::make_unique<UsageSettler>(data_dir_ + "/rentals", identity_, *settle_client_);
  sender_ = std::make_unique<telemetry::TelemetrySender>(*queue_, *budget_, link_, state_.node_id, signed_transport());
  ActiveSet loaded;
  loaded.generation = set.generation;
  for (const ActiveModel& m : set.models) {
    // The previous version first, so it sits behind the current one as the rollback target.
    if (!m.previous_version.empty() && fs::exists(model_version_dir(data_dir_, m.model, m.previous_version))) {
      Status st = load_version(m.model, m.previous_version);
      if (!st.is_ok()) log("could not load the previous version " + m.model + "@" + m.previous_version + ": " + st.message());
    }
    Status st = load_version(m.model, m.version);
    if (!st.is_ok()) {
      log("could not load " + m.model + "@" + m.version + " from " + data_dir_ + ": " + st.message());
      continue;
    }
    log("serving " + m.model + "@" + m.version + " from the data dir (generation " + std::to_string(set.generation) + ")");
    loaded.models.push_back(m);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_ = loaded;
    counters_.generation = loaded.generation;
  }
  Json models = Json::array();
  for (const auto& m : loaded.models) models.push_back({{"model", m.model}, {"version", m.version}});
  event("event.agent_started", {{"models", models}, {"generation", loaded.generation}});
  return Status::ok();
}

void AgentLoop::start() {
  stopping_ = false;
  running_ = 2;
  poll_ = std::thread([this] {
    poll_thread();
    --running_;
  });
  periodic_ = std::thread([this] {
    periodic_thread();
    --running_;
  });
}

bool AgentLoop::stop(double grace_seconds) {
  stopping_ = true;
  wake_.notify_all();
  // The telemetry thread is always waited for: a batch the hub stored leaves the queue (its
  // acknowledgement applied) before the process exits, so the queue and the hub's count agree.
  if (periodic_.joinable()) periodic_.join();
  double deadline = now_seconds() + grace_seconds;
  while (running_ > 0 && now_seconds() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (running_ > 0) return false;
  if (poll_.joinable()) poll_.join();
  return true;
}

AgentCounters AgentLoop::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

bool AgentLoop::sleep_for(double seconds, bool for_report) {
  std::unique_lock<std::mutex> lock(wake_mu_);
  wake_.wait_for(lock, std::chrono::duration<double>(seconds),
                 [&] { return stopping_.load() || (for_report && report_now_.load()); });
  if (for_report) report_now_ = false;
  return !stopping_;
}

void AgentLoop::poll_thread() {
  ClientOptions poll_options = options_.client;
  poll_options.timeout_seconds = std::max(poll_options.timeout_seconds, options_.poll_wait_seconds + 15);
  HubClient client(state_.hub_url, state_.node_id, identity_, poll_options);
  bool first = true;
  double backoff = options_.retry_min_seconds, fetch_backoff = options_.retry_min_seconds;
  while (!stopping_) {
    int64_t generation = counters().generation;
    // The first ask answers at once: a node that restarted must learn what changed meanwhile.
    std::string target = "/api/nodes/self/desired";
    if (!first)
      target += "?after=" + std::to_string(generation) + "&wait=" + std::to_string(options_.poll_wait_seconds);
    auto reply = client.request("GET", target);
    if (stopping_) return;
    std::string failure;
    if (!reply.is_ok()) failure = reply.status().message();
    else if (reply->status != 200) failure = "GET " + target + " answered " + std::to_string(reply->status) + ": " + reply->body;
    Json desired;
    if (failure.empty()) {
      desired = Json::parse(reply->body, nullptr, false);
      if (!desired.is_object() || !desired.contains("models") || !desired["models"].is_array())
        failure = "GET " + target + ": not a desired-state document: " + reply->body.substr(0, 200);
    }
    if (!failure.empty()) {
      // The hub is away (or refusing us): keep serving what we have and ask again later.
      log("desired state: " + failure + " (retrying in " + std::to_string(static_cast<int>(backoff)) + " s)");
      if (!sleep_for(backoff)) return;
      backoff = std::min(backoff * 2, options_.retry_max_seconds);
      continue;
    }
    backoff = options_.retry_min_seconds;
    first = false;
    bool retry = false;
    Status st = reconcile(desired, &retry);
    if (!st.is_ok()) log("reconcile: " + st.message());
    if (retry) {
      // Ask again at once after a pause, rather than waiting for the generation to change.
      first = true;
      if (!sleep_for(fetch_backoff)) return;
      fetch_backoff = std::min(fetch_backoff * 2, options_.retry_max_seconds);
      continue;
    }
    fetch_backoff = options_.retry_min_seconds;
    if (desired.contains("retry_after") && desired["retry_after"].is_number()) {
      if (!sleep_for(desired["retry_after"].get<double>())) return;
    }
  }
}

Status AgentLoop::reconcile(const Json& desired, bool* retry) {
  const auto g = desired.find("generation");
  const int64_t generation = g != desired.end() && g->is_number_integer() ? g->get<int64_t>() : 0;
  Status first_error = Status::ok();
  bool again = false;
  std::set<std::string> wanted;
  for (const auto& entry : desired["models"]) {
    if (stopping_) break;
    if (!entry.is_object() || !entry.contains("model") || !entry["model"].is_string()) continue;
    wanted.insert(entry["model"].get<std::string>());
    // Production first: a promoted shadow becomes the current version without a second load.
    reconcile_primary(entry, &again, &first_error);
    reconcile_shadow(entry, &again, &first_error);
  }
  // A model the hub no longer lists keeps serving (the hub says nothing about it), but an
  // observation the hub stopped asking for ends.
  if (!stopping_)
    for (const auto& slot : server_.models().shadows())
      if (!wanted.count(slot.model->name)) drop_shadow(slot.model->name);
  if (retry) *retry = again;
  if (!again) {
    std::lock_guard<std::mutex> lock(mu_);
    active_.generation = generation;
    counters_.generation = generation;
    FOGLINE_TRY(save_active_set(data_dir_, active_));
  }
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    report_now_ = true;  // report the outcome now rather than at the next interval
  }
  wake_.notify_all();
  return first_error;
}

void AgentLoop::reconcile_primary(const Json& entry, bool* again, Status* first_error) {
  std::string model = entry["model"], version = text_field(entry, "version");
  if (version.empty()) return;  // shadow-only: nothing for production to change
  auto current = server_.models().find(model);
  const auto rental = entry.find("rental");
  const std::string want_rental = rental != entry.end() && rental->is_object() ? text_field(*rental, "id") : "";
  std::string key = model + "@" + version + "#" + text_field(entry, "bundle_sha256") + "#" + want_rental;
  if (current && current->version == version) {
    if (!want_rental.empty() && (!current->rental || current->rental->terms().rental != want_rental)) {
      // The same version under another rental (the renter started a new one after the old ran
      // out): its terms, then the version loaded again under them.
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (refused_.count(key)) return;
      }
      Status st = place_rental_terms(entry);
      if (st.is_ok()) st = load_version(model, version);
      if (st.is_ok()) {
        log("serving " + model + "@" + version + " under rental " + want_rental.substr(0, 16));
        event("event.model_activated", {{"model", model}, {"version", version}, {"previous_version", version},
                                        {"rental", want_rental}});
        return;
      }
      record_failure(st, false, key, false, model, version, "still serving " + model + "@" + version, again, first_error);
      return;
    }
    // Serving what the hub wants (again, after it gave up on a refused version).
    std::lock_guard<std::mutex> lock(mu_);
    failures_.erase(model);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (refused_.count(key)) return;  // the same bundle again: refused already, reported
  }
  bool transient = false;
  Status st = activate(entry, &transient);
  if (st.is_ok()) return;
  record_failure(st, transient, key, false, model, version,
                 "still serving " + (current ? model + "@" + current->version : "nothing for " + model), again, first_error);
}

void AgentLoop::record_failure(const Status& st, bool transient, const std::string& key, bool shadow, const std::string& model,
                               const std::string& version, const std::string& unchanged, bool* again, Status* first_error) {
  if (first_error->is_ok()) *first_error = st;
  if (transient) {
    log(st.message() + " (will retry)");
    *again = true;
    return;
  }
  log(st.message() + "; " + unchanged);
  {
    std::lock_guard<std::mutex> lock(mu_);
    refused_.insert(key);
    (shadow ? shadow_failures_ : failures_)[model] = {{"version", version}, {"error", st.message()}};
  }
  Json body = {{"model", model}, {"version", version}, {"error", st.message()}};
  if (shadow) body["shadow"] = true;
  event("event.error", body);
}

void AgentLoop::reconcile_shadow(const Json& entry, bool* again, Status* first_error) {
  std::string model = entry["model"], version = text_field(entry, "shadow_version");
  if (version.empty()) {
    drop_shadow(model);
    return;
  }
  ShadowSlot current = server_.models().shadow(model);
  if (current && current.model->version == version) {
    std::lock_guard<std::mutex> lock(mu_);
    shadow_failures_.erase(model);
    return;
  }
  std::string key = "shadow:" + model + "@" + version + "#" + text_field(entry, "shadow_bundle_sha256");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (refused_.count(key)) return;
  }
  bool transient = false;
  Status st = start_shadow(model, version, &transient);
  // Production is untouched; the hub learns from the report that the shadow could not run.
  if (!st.is_ok()) record_failure(st, transient, key, true, model, version, "production unchanged", again, first_error);
}

Status AgentLoop::start_shadow(const std::string& model, const std::string& version, bool* transient) {
  if (!safe_name(model) || !safe_name(version))
    return invalid_argument("refused shadow model '" + model + "' version '" + version +
                            "': names must be letters, digits, '.', '-', '_'");
  auto current = server_.models().find(model);
  if (current && current->version == version)
    return invalid_argument("refused shadow " + model + "@" + version + ": it is the version production serves");
  Json fetched = Json::object();
  FOGLINE_TRY(ensure_unpacked(model, version, current ? current->version : "", transient, &fetched));
  auto source = chosen_source(model, version);
  Status st = source.is_ok() ? server_.load_shadow(*source) : source.status();
  if (!st.is_ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.load_failures;
    return st.with_context("cannot load the shadow " + model + "@" + version);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    shadow_failures_.erase(model);
    ++counters_.shadows_started;
  }
  log("shadowing " + model + (current ? "@" + current->version : "") + " with " + version +
      " (runs on copies of its requests, never answers)");
  Json body = {{"model", model}, {"version", version}, {"production_version", current ? current->version : ""}};
  body.update(fetched);
  event("event.shadow_started", body);
  return Status::ok();
}

void AgentLoop::drop_shadow(const std::string& model) {
  ShadowSlot slot = server_.models().shadow(model);
  {
    std::lock_guard<std::mutex> lock(mu_);
    shadow_failures_.erase(model);
  }
  if (!slot || !server_.models().clear_shadow(model)) return;
  shadow::ShadowSnapshot s = slot.stats->snapshot();
  log("stopped shadowing " + model + " with " + slot.model->version + " (" + std::to_string(s.compared) + " compared)");
  event("event.shadow_stopped",
        {{"model", model}, {"version", slot.model->version}, {"metrics", shadow::report_metrics(s)}});
  // Its files go unless the active set still names the version (it may be current or kept).
  bool kept = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& m : active_.models)
      kept |= m.model == model && (m.version == slot.model->version || m.previous_version == slot.model->version);
  }
  if (!kept && safe_name(model) && safe_name(slot.model->version)) {
    std::error_code ec;
    fs::remove_all(model_version_dir(data_dir_, model, slot.model->version), ec);
  }
}

// Model and version names become directory names under DATA/models.
bool AgentLoop::safe_name(const std::string& s) {
  if (s.empty() || s == "." || s == ".." || s.size() > 200) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

Status AgentLoop::activate(const Json& entry, bool* transient) {
  std::string model = entry["model"], version = entry["version"];
  if (!safe_name(model) || !safe_name(version))
    return invalid_argument("refused desired model '" + model + "' version '" + version +
                            "': names must be letters, digits, '.', '-', '_'");
  FOGLINE_TRY(place_rental_terms(entry));
  const bool rented = entry.contains("rental");
  auto current = server_.models().find(model);
  std::string was = current ? current->version : "";
  Json fetched = Json::object();  // empty: no download (a rollback, or a version already on disk)
  auto loaded = server_.models().find(model, version);
  ShadowSlot shadow = server_.models().shadow(model);
  if (loaded && current && loaded != current) {
    // The version sits behind the current one (a rollback): swap them, no load needed.
    FOGLINE_TRY(server_.models().rollback(model));
    server_.metrics().model_swapped(model);
  } else if (shadow && shadow.model->version == version && !rented) {
    // A promoted shadow: it is loaded and verified already, so it becomes current as it is
    // (a rented one is loaded again below, under the terms that came with it).
    server_.models().clear_shadow(model);
    server_.swap_model(shadow.model);
    std::lock_guard<std::mutex> lock(mu_);
    baselines_[model] = server_.metrics().model_totals(model);
  } else {
    FOGLINE_TRY(ensure_unpacked(model, version, was, transient, &fetched));
    Status st = load_version(model, version);
    if (!st.is_ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++counters_.load_failures;
      return st.with_context("cannot load " + model + "@" + version);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ActiveModel* m = active_.find(model);
    if (!m) {
      active_.models.push_back({model, version, ""});
      m = &active_.models.back();
    }
    m->version = version;
    m->previous_version = was;
    failures_.erase(model);
    ++counters_.activations;
    FOGLINE_TRY(save_active_set(data_dir_, active_));
  }
  log("activated " + model + "@" + version + (was.empty() ? "" : " (previous " + was + " kept for rollback)"));
  Json body = {{"model", model}, {"version", version}, {"previous_version", was}};
  body.update(fetched);
  event("event.model_activated", body);
  return Status::ok();
}

Status AgentLoop::place_rental_terms(const Json& entry) {
  auto it = entry.find("rental");
  if (it == entry.end()) return Status::ok();
  const std::string model = entry["model"], version = entry["version"];
  const std::string what = model + "@" + version + " of rental " + text_field(*it, "id");
  if (!it->is_object()) return invalid_argument("refused " + what + ": the hub's 'rental' is not an object");
  if (it->contains("error"))
    return invalid_argument("refused " + what + ": the hub gives no terms for this node: " + text_field(*it, "error"));
  auto terms = it->find("terms");
  if (terms == it->end() || !terms->is_object()) return invalid_argument("refused " + what + ": the hub sent no terms");
  const std::string text = terms->dump(2) + "\n";
  FOGLINE_ASSIGN_OR_RETURN(rental::RentalTerms parsed, rental::parse_rental_terms(text, "the hub's terms for " + what));
  if (parsed.has_node && parsed.node != identity_.sign_public())
    return invalid_argument("refused " + what + ": the hub's terms are for node " + ledger::short_key(parsed.node) +
                            ", not this node");
  const std::string dir = data_dir_ + "/rentals", path = dir + "/" + model + ".json";
  auto have = read_file(path, 1 << 20);
  if (have.is_ok() && *have == text) return Status::ok();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return io_error("cannot create " + dir + ": " + ec.message());
  FOGLINE_TRY(write_file_atomic(path, text));
  log("rental " + parsed.rental.substr(0, 16) + ": serving " + model + " under the hub's terms (" + parsed.label() +
      (parsed.prepaid_inferences == rental::kUnlimited ? std::string(", no limit")
                                                        : ", up to " + std::to_string(parsed.prepaid_inferences)) +
      " inferences) in " + path);
  return Status::ok();
}

Status AgentLoop::fetch_and_unpack(const std::string& model, const std::string& version, const std::string& held,
                                   bool* transient, Json* fetched) {
  std::string downloads = data_dir_ + "/downloads";
  std::error_code ec;
  fs::create_directories(downloads, ec);
  if (ec) return io_error("cannot create " + downloads + ": " + ec.message());
  std::string dest = downloads + "/" + model + "-" + version + (held.empty() ? "" : "-from-" + held) + ".fglb";
  HubClient client(state_.hub_url, state_.node_id, identity_, options_.client);
  auto downloaded = client.download_bundle(model, version, held, dest);
  if (!downloaded.is_ok()) {
    // The partial file stays for a resumed download; nothing about the bundle is known yet.
    *transient = true;
    return downloaded.status().with_context("cannot fetch the bundle of " + model + "@" + version);
  }
  BundleDownload dl = std::move(*downloaded);
  {
    std::lock_guard<std::mutex> lock(mu_);
    counters_.bytes_downloaded += static_cast<uint64_t>(dl.bytes_received);
  }
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(dl.path));
  std::string base;
  if (dl.delta) {
    FOGLINE_ASSIGN_OR_RETURN(base, read_file(model_version_dir(data_dir_, model, held) + "/" + kPayloadFile));
  }
  // Verification comes before anything touches the served models or the data dir's versions.
  auto verified = open_bundle(bytes, state_.hub_public_key, base);
  fs::remove(dl.path, ec);
  if (!verified.is_ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.refusals;
    return verified.status().with_context("refused the bundle of " + model + "@" + version);
  }
  if (verified->model != model || verified->version != version) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.refusals;
    return invalid_argument("refused the bundle of " + model + "@" + version + ": it holds " + verified->model + "@" +
                            verified->version);
  }
  std::string dir = model_version_dir(data_dir_, model, version), tmp = dir + ".unpacking";
  fs::remove_all(tmp, ec);
  fs::create_directories(fs::path(dir).parent_path(), ec);
  FOGLINE_TRY(unpack_bundle(*verified, tmp));
  FOGLINE_TRY(write_file_atomic(tmp + "/" + kPayloadFile, verified->payload));
  fs::remove_all(dir, ec);  // a leftover without a manifest (a crash between unpack and rename)
  fs::rename(tmp, dir, ec);
  if (ec) return io_error("cannot rename " + tmp + " to " + dir + ": " + ec.message());
  int64_t saved = dl.delta && dl.full_size > dl.size ? dl.full_size - dl.size : 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    counters_.bytes_saved += static_cast<uint64_t>(saved);
  }
  *fetched = {{"bytes_downloaded", dl.bytes_received}, {"delta", dl.delta}, {"from", dl.delta ? held : ""},
              {"bytes_saved", saved}};
  log("verified " + model + "@" + version + " (" + std::to_string(dl.size) + " bytes" +
      (dl.delta ? ", delta from " + held + ", full " + std::to_string(dl.full_size) : "") + ")");
  return Status::ok();
}

Status AgentLoop::ensure_unpacked(const std::string& model, const std::string& version, const std::string& held,
                                  bool* transient, Json* fetched) {
  if (fs::exists(model_version_dir(data_dir_, model, version) + "/bundle-manifest.json")) return Status::ok();
  // A delta needs the held version's payload; without it the hub sends the whole bundle.
  bool base = !held.empty() && fs::exists(model_version_dir(data_dir_, model, held) + "/" + kPayloadFile);
  return fetch_and_unpack(model, version, base ? held : "", transient, fetched);
}

ModelSource AgentLoop::version_source(const std::string& model, const std::string& version,
                                      const std::string& model_file) const {
  std::string dir = model_version_dir(data_dir_, model, version);
  ModelSource source;
  source.name = model;
  source.version = version;
  source.path = dir + "/" + model_file;
  // A model rented on the ledger is served under its terms (docs/node.md, "Rented models").
  if (std::string terms = data_dir_ + "/rentals/" + model + ".json"; fs::exists(terms)) source.rental_file = terms;
  // processing.json is the version's spec; "{}" or null means the version has none.
  auto spec_text = read_file(dir + "/processing.json", 1 << 20);
  if (spec_text.is_ok()) {
    Json spec = Json::parse(*spec_text, nullptr, false);
    if (spec.is_object() && !spec.empty()) source.spec_file = dir + "/processing.json";
  }
  return source;
}

Result<ModelSource> AgentLoop::chosen_source(const std::string& model, const std::string& version) {
  bool timed = false;
  const std::string dir = model_version_dir(data_dir_, model, version);
  FOGLINE_ASSIGN_OR_RETURN(VariantChoice choice, choose_variant(dir, options_.variants, &timed));
  if (timed) {
    log("chose variant " + choice.chosen + " of " + model + "@" + version + ": " + choice.reason);
    event("event.model_variant_chosen", {{"model", model}, {"version", version}, {"variant", choice.to_json()}});
  }
  if (!choice.timings.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    variants_[model + "@" + version] = choice;
  }
  return version_source(model, version, choice.file);
}

Status AgentLoop::load_version(const std::string& model, const std::string& version) {
  FOGLINE_ASSIGN_OR_RETURN(ModelSource source, chosen_source(model, version));
  FOGLINE_TRY(server_.load_and_swap(source));
  std::lock_guard<std::mutex> lock(mu_);
  baselines_[model] = server_.metrics().model_totals(model);
  return Status::ok();
}

Json AgentLoop::shadow_report(const std::string& model) const {
  ShadowSlot slot = server_.models().shadow(model);
  if (slot)
    return {{"version", slot.model->version},
            {"state", "running"},
            {"metrics", shadow::report_metrics(slot.stats->snapshot())}};
  auto failure = shadow_failures_.find(model);
  if (failure != shadow_failures_.end())
    return {{"version", failure->second["version"]}, {"state", "failed"}, {"error", failure->second["error"]}};
  return nullptr;
}

Json AgentLoop::report_body() {
  Json models = Json::array();
  std::lock_guard<std::mutex> lock(mu_);
  // The hub judges a shadow deployment on the entry's "shadow" part (its version is the
  // deployment's), with the same rule grammar: agreement, p50_ms, p99_ms, error_rate, requests.
  auto with_shadow = [&](Json entry) {
    Json s = shadow_report(entry["model"].get<std::string>());
    if (!s.is_null()) entry["shadow"] = std::move(s);
    return entry;
  };
  std::set<std::string> listed;
  for (const auto& served : server_.models().current()) {
    listed.insert(served->name);
    NodeMetrics::ModelTotals t = minus(server_.metrics().model_totals(served->name), baselines_[served->name]);
    Json metrics = {{"requests", t.requests},
                    {"errors", t.errors},
                    {"error_rate", t.requests ? static_cast<double>(t.errors) / static_cast<double>(t.requests) : 0.0},
                    {"p50_ms", quantile_ms(t, 0.5)},
                    {"p99_ms", quantile_ms(t, 0.99)}};
    auto failure = failures_.find(served->name);
    if (failure != failures_.end()) {
      // The hub judges the version it asked for: say that one failed, and what still serves.
      models.push_back(with_shadow({{"model", served->name},
                                    {"version", failure->second["version"]},
                                    {"state", "failed"},
                                    {"error", failure->second["error"]},
                                    {"serving_version", served->version},
                                    {"serving_metrics", metrics}}));
      continue;
    }
    Json entry = {{"model", served->name}, {"version", served->version}, {"state", "running"}, {"metrics", metrics}};
    auto variant = variants_.find(served->name + "@" + served->version);
    if (variant != variants_.end()) entry["variant"] = variant->second.to_json();
    models.push_back(with_shadow(std::move(entry)));
  }
  for (const auto& [model, failure] : failures_) {
    if (server_.models().find(model)) continue;
    listed.insert(model);
    models.push_back(with_shadow(
        {{"model", model}, {"version", failure["version"]}, {"state", "failed"}, {"error", failure["error"]}}));
  }
  // A shadow of a model production does not serve (the hub shadowed a first version): it sees
  // no requests, but the hub still learns that it is loaded, or why it is not.
  std::set<std::string> shadowed;
  for (const auto& slot : server_.models().shadows()) shadowed.insert(slot.model->name);
  for (const auto& [model, failure] : shadow_failures_) shadowed.insert(model);
  for (const auto& model : shadowed)
    if (!listed.count(model)) models.push_back(with_shadow({{"model", model}, {"version", ""}, {"state", "none"}}));
  return {{"models", models},
          {"generation", counters_.generation},
          {"bytes_downloaded", counters_.bytes_downloaded},
          {"bytes_saved", counters_.bytes_saved}};
}

void AgentLoop::send_report() {
  Json body = report_body();
  HubClient client(state_.hub_url, state_.node_id, identity_, options_.client);
  auto r = client.request("POST", "/api/nodes/self/report", body.dump());
  if (r.is_ok() && r->status == 200) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.reports_sent;
  }
}

void AgentLoop::telemetry_round(double elapsed_seconds) {
  if (!queue_) return;
  int64_t now_ms = telemetry::unix_time_ms();
  Status st = telemetry::collect_round(*queue_, health_.get(), link_, {}, elapsed_seconds, now_ms);
  if (!st.is_ok()) log("telemetry: " + st.message());
  // The serving side's counters per model, as the report carries them. The body is kept in a
  // variable: a range-for over a member of a temporary would read freed memory (C++20).
  const nlohmann::json body = report_body();
  for (const auto& m : body["models"]) {
    auto a = queue_->append(telemetry::Priority::kNormal, "model", m.dump(), now_ms);
    if (!a.is_ok()) log("telemetry: " + a.status().message());
  }
  // Drain what the link allows now; a failure leaves the rest queued for the next round.
  for (int i = 0; i < 50 && !stopping_; ++i) {
    auto out = sender_->send_once();
    if (!out.is_ok()) {
      log("telemetry: " + out.status().message());
      break;
    }
    if (out->records == 0 || !out->acknowledged) break;
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.telemetry_batches;
    counters_.telemetry_records += out->records;
  }
}

telemetry::Transport AgentLoop::signed_transport() {
  HubClient* client = telemetry_client_.get();
  return [client](const std::string& compressed) {
    telemetry::Attempt a;
    a.bytes_up = compressed.size();
    auto t0 = std::chrono::steady_clock::now();
    auto r = client->request("POST", "/api/nodes/self/telemetry", compressed, {{"Content-Encoding", "zstd"}});
    a.rtt_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    a.time_ms = telemetry::unix_time_ms();
    if (r.is_ok()) {
      a.connected = true;
      a.http_status = r->status;
      a.bytes_down = r->body.size();
    }
    return a;
  };
}

void AgentLoop::settle_round() {
  if (!settler_) return;
  std::string waiting;
  for (const SettleOutcome& o : settler_->round(&waiting)) {
    const std::string batch = std::filesystem::path(o.batch).filename().string();
    if (o.settled) {
      log("rental " + o.rental.substr(0, 16) + ": settled " + batch + " (" + std::to_string(o.inferences) +
          " inferences) in tx " + o.tx_id + " at height " + std::to_string(o.height));
      event("event.rental_settled", {{"rental", o.rental}, {"batch", batch}, {"inferences", o.inferences},
                                     {"tx", o.tx_id}, {"height", o.height}});
    } else {
      log("rental " + o.rental.substr(0, 16) + ": " + batch + " kept aside, not settled: " + o.error);
      event("event.error", {{"rental", o.rental}, {"batch", batch}, {"error", "usage settlement refused: " + o.error}});
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++(o.settled ? counters_.batches_settled : counters_.batches_rejected);
  }
  if (waiting != settle_waiting_ && !waiting.empty()) log("usage settlement waits: " + waiting);
  settle_waiting_ = waiting;
  // What the ledger says of each rental now, settlements by others included.
  std::string unread;
  for (const std::string& line : settler_->sync_allowances(server_.rentals(), &unread)) log(line);
  if (unread != allowance_waiting_ && !unread.empty()) log("the ledger's view of a rental: " + unread);
  allowance_waiting_ = unread;
}

void AgentLoop::periodic_thread() {
  double last = now_seconds();
  while (!stopping_) {
    send_report();
    settle_round();
    double now = now_seconds();
    telemetry_round(now - last);
    last = now;
    if (!sleep_for(options_.report_interval_seconds, true)) return;
  }
}

}  // namespace fogline::node::agent
