// The model registry: models, their versions (lineage, artifacts, the pre/post-processing
// spec, the engine's facts, metrics per dataset and slice), tags, stages and an append-only
// history of stage changes and deployments. It sits on store::Home: rows in the metadata
// database, bytes in the content store, reference counts changed in the same transaction as
// the rows that hold them.
//
// A version is named "MODEL@SELECTOR" where SELECTOR is, in this order of precedence, a
// version ("3", "1.2.0"), a tag ("best-cam3") or a stage ("production": the newest version in
// it). "MODEL" alone is the newest version.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/home.h"

namespace fogline::registry {

using Json = nlohmann::json;

enum class Stage { kDev, kStaging, kProduction, kArchived };
const char* stage_name(Stage stage);
Result<Stage> parse_stage(const std::string& text);

struct ArtifactRef {
  std::string role;    // "model", "labels", "external-data:weights.bin"
  std::string digest;  // SHA-256 in the content store
  int64_t size_bytes = 0;
};

struct VersionRecord {
  int64_t id = 0;
  std::string model;
  std::string version;
  Stage stage = Stage::kDev;
  std::string parent;  // "model@version" or empty
  std::string source_url;
  std::string source_commit;
  Json dataset_versions = Json::object();  // {"cams-2024": "sha256:..."}
  Json hyperparameters = Json::object();
  Json processing_spec = Json::object();   // pre/postprocessing (owned by eval/data)
  Json facts = Json::object();              // the engine's inspect facts
  std::string created_by;
  std::string created_at;
  std::vector<ArtifactRef> artifacts;
  std::vector<std::string> tags;
  std::string ref() const { return model + "@" + version; }
};

struct NewVersion {
  std::string model;
  std::string version;  // empty: the next integer
  std::string parent;   // "model@selector" or "selector" within the same model; may be empty
  std::string source_url;
  std::string source_commit;
  Json dataset_versions = Json::object();
  Json hyperparameters = Json::object();
  Json processing_spec = Json::object();
  Json facts = Json::object();
  std::vector<ArtifactRef> artifacts;  // must already be in the content store
  std::string actor;                   // empty: the current user
  // Runs inside the transaction just before it commits (the kill -9 tests pause there).
  std::function<void()> before_commit;
};

struct ModelSummary {
  std::string name;
  int64_t versions = 0;
  std::string latest;          // newest version
  std::string production;      // newest version in production, or empty
  std::string created_at;
};

struct HistoryEntry {
  int64_t id = 0;
  std::string version;
  std::string kind;  // "created", "stage", "tag", "spec", "deployment", ...
  std::string from_stage, to_stage;
  Json detail = Json::object();
  std::string actor, at;
};

struct SliceMetrics {
  std::string slice_key;    // "" for the whole dataset
  std::string slice_value;  // "" for the whole dataset
  Json metrics = Json::object();  // {"top1": 0.81, "ap50": 0.4, ...}
};

struct MetricRecord {
  std::string dataset, dataset_version;
  SliceMetrics slice;
  std::string recorded_at;
};

struct FieldDiff {
  std::string field;  // "facts.parameters", "stage", "artifacts.model"
  std::string a, b;
};

struct IntegrityReport {
  int versions = 0, artifacts = 0, objects = 0;
  std::vector<std::string> problems;  // empty: consistent
  bool ok() const { return problems.empty(); }
};

// The user named in lineage and history: $FOGLINE_USER, else the login name.
std::string current_actor();
// "a.b" strings, compared part by part, numbers numerically: 2 < 10, 1.2.0 < 1.10.
int compare_versions(const std::string& a, const std::string& b);
Status check_model_name(const std::string& name);
Status check_version_name(const std::string& version);

class Registry {
 public:
  // Applies the registry's migrations; `home` must outlive the registry.
  static Result<std::unique_ptr<Registry>> open(store::Home& home);

  store::Home& home() { return home_; }

  // One transaction: the model row when new, the version, its artifact references (+1 each)
  // and a "created" history entry. Refuses artifacts missing from the content store.
  Result<VersionRecord> create_version(const NewVersion& spec);

  Result<std::vector<ModelSummary>> list_models();
  Result<std::vector<VersionRecord>> versions(const std::string& model);  // oldest first
  Result<VersionRecord> get(const std::string& ref);

  // Points TAG at a version (moving it if it pointed elsewhere).
  Status tag(const std::string& ref, const std::string& tag, const std::string& actor = "");
  Status untag(const std::string& model, const std::string& tag, const std::string& actor = "");
  // Changes the stage and appends it to the history. Promoting to production moves the
  // model's previous production version to archived (one production version per model;
  // rollouts of several are the hub's deployments). Returns the versions archived that way.
  Result<std::vector<std::string>> promote(const std::string& ref, Stage stage, const std::string& note = "",
                                           const std::string& actor = "");
  // Appends an entry (deployments come from the hub this way).
  Status append_history(const std::string& ref, const std::string& kind, const Json& detail,
                        const std::string& actor = "");
  Result<std::vector<HistoryEntry>> history(const std::string& ref);

  Status set_processing_spec(const std::string& ref, const Json& spec, const std::string& actor = "");

  // Stores the metrics of one evaluation (all slices and its "evaluation" history entry in one
  // transaction: a killed process leaves all of them or none); an evaluation of the same
  // dataset version and slice replaces the earlier numbers. `mid_transaction` runs after the
  // first row is written (the kill -9 tests pause there).
  Status record_metrics(const std::string& ref, const std::string& dataset, const std::string& dataset_version,
                        const std::vector<SliceMetrics>& slices, const std::function<void()>& mid_transaction = {});
  // All metrics of a version, optionally of one dataset; ordered by dataset, slice.
  Result<std::vector<MetricRecord>> metrics(const std::string& ref, const std::string& dataset = "");

  Result<std::vector<FieldDiff>> diff(const std::string& ref_a, const std::string& ref_b);

  // Every version's artifacts are rows and objects; every count equals its references; with
  // `verify_hashes`, every referenced object still hashes to its name.
  Result<IntegrityReport> check_integrity(bool verify_hashes = false);

 private:
  explicit Registry(store::Home& home) : home_(home), db_(home.db()) {}
  Result<int64_t> resolve_version_id(const std::string& ref);
  Result<VersionRecord> load(int64_t version_id);
  Status add_history(int64_t version_id, const std::string& kind, const std::string& from, const std::string& to,
                     const Json& detail, const std::string& actor);
  store::Home& home_;
  store::Database& db_;
};

}  // namespace fogline::registry
