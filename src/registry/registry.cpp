// Versions: creating them (one transaction with their artifact references), finding them by
// "model@selector" and reading them back.
#include "registry/registry.h"

#include <algorithm>
#include <filesystem>

#include "registry/schema.h"
#include "store/artifacts.h"

namespace fs = std::filesystem;

namespace fogline::registry {
namespace {

using store::Row;
using store::SqlParams;
using store::Transaction;

Result<Json> parse_json_column(const std::string& text, const std::string& what) {
  try {
    return Json::parse(text.empty() ? "{}" : text);
  } catch (const std::exception& e) {
    return internal_error(what + " holds invalid JSON: " + e.what());
  }
}

bool is_integer(const std::string& s) {
  return !s.empty() && s.size() < 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<std::unique_ptr<Registry>> Registry::open(store::Home& home) {
  FOGLINE_TRY(apply_registry_migrations(home.db()));
  return std::unique_ptr<Registry>(new Registry(home));
}

Result<int64_t> Registry::resolve_version_id(const std::string& ref) {
  size_t at = ref.find('@');
  std::string model = ref.substr(0, at);
  std::string selector = at == std::string::npos ? "" : ref.substr(at + 1);
  FOGLINE_ASSIGN_OR_RETURN(auto models, db_.query("SELECT id FROM models WHERE name = ?", {model}));
  if (models.empty()) return not_found("no model named '" + model + "'");
  int64_t model_id = models[0].i(0);
  if (selector.empty()) {
    FOGLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT id FROM versions WHERE model_id = ? ORDER BY id DESC LIMIT 1", {model_id}));
    if (rows.empty()) return not_found("model '" + model + "' has no versions");
    return rows[0].i(0);
  }
  FOGLINE_ASSIGN_OR_RETURN(auto exact, db_.query("SELECT id FROM versions WHERE model_id = ? AND version = ?", {model_id, selector}));
  if (!exact.empty()) return exact[0].i(0);
  FOGLINE_ASSIGN_OR_RETURN(auto tagged, db_.query("SELECT version_id FROM tags WHERE model_id = ? AND tag = ?", {model_id, selector}));
  if (!tagged.empty()) return tagged[0].i(0);
  if (auto stage = parse_stage(selector); stage.is_ok()) {
    FOGLINE_ASSIGN_OR_RETURN(auto staged, db_.query("SELECT id FROM versions WHERE model_id = ? AND stage = ? ORDER BY id DESC LIMIT 1",
                                                    {model_id, stage_name(*stage)}));
    if (!staged.empty()) return staged[0].i(0);
    return not_found("model '" + model + "' has no version in stage " + selector);
  }
  return not_found("model '" + model + "' has no version, tag or stage '" + selector + "'");
}

Result<VersionRecord> Registry::load(int64_t id) {
  FOGLINE_ASSIGN_OR_RETURN(
      Row r, db_.query_row("SELECT m.name, v.version, v.stage, pm.name, p.version, v.source_url, v.source_commit,"
                           " v.dataset_versions, v.hyperparameters, v.processing_spec, v.facts, v.created_by, v.created_at"
                           " FROM versions v JOIN models m ON m.id = v.model_id"
                           " LEFT JOIN versions p ON p.id = v.parent_id LEFT JOIN models pm ON pm.id = p.model_id"
                           " WHERE v.id = ?",
                           {id}, "version #" + std::to_string(id)));
  VersionRecord v;
  v.id = id;
  v.model = r.s(0);
  v.version = r.s(1);
  FOGLINE_ASSIGN_OR_RETURN(v.stage, parse_stage(r.s(2)));
  if (!r.null(3)) v.parent = r.s(3) + "@" + r.s(4);
  v.source_url = r.s(5);
  v.source_commit = r.s(6);
  std::string where = v.ref() + " ";
  FOGLINE_ASSIGN_OR_RETURN(v.dataset_versions, parse_json_column(r.s(7), where + "dataset_versions"));
  FOGLINE_ASSIGN_OR_RETURN(v.hyperparameters, parse_json_column(r.s(8), where + "hyperparameters"));
  FOGLINE_ASSIGN_OR_RETURN(v.processing_spec, parse_json_column(r.s(9), where + "processing_spec"));
  FOGLINE_ASSIGN_OR_RETURN(v.facts, parse_json_column(r.s(10), where + "facts"));
  v.created_by = r.s(11);
  v.created_at = r.s(12);
  FOGLINE_ASSIGN_OR_RETURN(auto arts, db_.query("SELECT role, digest, size_bytes FROM version_artifacts WHERE version_id = ? ORDER BY role", {id}));
  for (const Row& a : arts) v.artifacts.push_back({a.s(0), a.s(1), a.i(2)});
  FOGLINE_ASSIGN_OR_RETURN(auto tags, db_.query("SELECT tag FROM tags WHERE version_id = ? ORDER BY tag", {id}));
  for (const Row& t : tags) v.tags.push_back(t.s(0));
  return v;
}

Result<VersionRecord> Registry::get(const std::string& ref) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  return load(id);
}

Result<VersionRecord> Registry::create_version(const NewVersion& spec) {
  FOGLINE_TRY(check_model_name(spec.model));
  if (!spec.version.empty()) FOGLINE_TRY(check_version_name(spec.version));
  for (const auto* j : {&spec.dataset_versions, &spec.hyperparameters, &spec.processing_spec, &spec.facts})
    if (!j->is_object()) return invalid_argument("lineage, spec and facts of a version must be JSON objects, got " + j->dump());
  std::string actor = spec.actor.empty() ? current_actor() : spec.actor;
  std::vector<std::string> roles;
  for (const ArtifactRef& a : spec.artifacts) {
    if (std::find(roles.begin(), roles.end(), a.role) != roles.end())
      return invalid_argument("artifact role '" + a.role + "' given twice");
    roles.push_back(a.role);
    auto size = home_.cas().size_of(a.digest);
    if (!size.is_ok()) return size.status().with_context("artifact '" + a.role + "'");
    if (static_cast<int64_t>(*size) != a.size_bytes)
      return invalid_argument("artifact '" + a.role + "' is " + std::to_string(*size) + " bytes in the content store, not " +
                              std::to_string(a.size_bytes));
    // A fresh mtime keeps gc's grace period from removing the object before we commit.
    std::error_code ec;
    fs::last_write_time(home_.cas().path_of(a.digest), fs::file_time_type::clock::now(), ec);
  }
  std::string now = store::utc_now_iso8601();
  // An automatic version number can collide with a concurrent import: try again.
  for (int attempt = 0;; ++attempt) {
    FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
    FOGLINE_TRY(db_.execute("INSERT INTO models (name, created_by, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                            {spec.model, actor, now})
                    .status());
    FOGLINE_ASSIGN_OR_RETURN(Row model, db_.query_row("SELECT id FROM models WHERE name = ?", {spec.model}, "model " + spec.model));
    int64_t model_id = model.i(0);
    std::string version = spec.version;
    if (version.empty()) {
      FOGLINE_ASSIGN_OR_RETURN(auto existing, db_.query("SELECT version FROM versions WHERE model_id = ?", {model_id}));
      int64_t next = 1;
      for (const Row& r : existing)
        if (is_integer(r.s(0))) next = std::max(next, r.i(0) + 1);
      version = std::to_string(next);
    } else {
      FOGLINE_ASSIGN_OR_RETURN(auto dup, db_.query("SELECT id FROM versions WHERE model_id = ? AND version = ?", {model_id, version}));
      if (!dup.empty()) return invalid_argument("model '" + spec.model + "' already has version " + version);
    }
    store::SqlValue parent_id;
    if (!spec.parent.empty()) {
      std::string parent_ref = spec.parent.find('@') == std::string::npos ? spec.model + "@" + spec.parent : spec.parent;
      auto pid = resolve_version_id(parent_ref);
      if (!pid.is_ok()) return pid.status().with_context("parent version");
      parent_id = *pid;
    }
    auto inserted = db_.query_row(
        "INSERT INTO versions (model_id, version, stage, parent_id, source_url, source_commit, dataset_versions,"
        " hyperparameters, processing_spec, facts, created_by, created_at)"
        " VALUES (?, ?, 'dev', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {model_id, version, parent_id, spec.source_url, spec.source_commit, spec.dataset_versions.dump(),
         spec.hyperparameters.dump(), spec.processing_spec.dump(), spec.facts.dump(), actor, now},
        "new version");
    if (!inserted.is_ok()) {
      if (spec.version.empty() && attempt < 5 && inserted.status().code() == StatusCode::kInvalidArgument) continue;
      return inserted.status();
    }
    int64_t id = inserted->i(0);
    for (const ArtifactRef& a : spec.artifacts) {
      FOGLINE_TRY(store::add_artifact_ref(db_, a.digest, a.size_bytes));
      FOGLINE_TRY(db_.execute("INSERT INTO version_artifacts (version_id, role, digest, size_bytes) VALUES (?, ?, ?, ?)",
                              {id, a.role, a.digest, a.size_bytes})
                      .status());
    }
    Json detail = {{"source_url", spec.source_url}};
    if (!spec.source_commit.empty()) detail["commit"] = spec.source_commit;
    FOGLINE_TRY(add_history(id, "created", "", "dev", detail, actor));
    if (spec.before_commit) spec.before_commit();
    FOGLINE_TRY(tx.commit());
    return load(id);
  }
}

Result<std::vector<VersionRecord>> Registry::versions(const std::string& model) {
  FOGLINE_ASSIGN_OR_RETURN(auto models, db_.query("SELECT id FROM models WHERE name = ?", {model}));
  if (models.empty()) return not_found("no model named '" + model + "'");
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT id FROM versions WHERE model_id = ? ORDER BY id", {models[0].i(0)}));
  std::vector<VersionRecord> out;
  for (const Row& r : rows) {
    FOGLINE_ASSIGN_OR_RETURN(VersionRecord v, load(r.i(0)));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<ModelSummary>> Registry::list_models() {
  FOGLINE_ASSIGN_OR_RETURN(auto models, db_.query("SELECT id, name, created_at FROM models ORDER BY name"));
  std::vector<ModelSummary> out;
  for (const Row& m : models) {
    ModelSummary s;
    s.name = m.s(1);
    s.created_at = m.s(2);
    FOGLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT version, stage FROM versions WHERE model_id = ? ORDER BY id", {m.i(0)}));
    s.versions = static_cast<int64_t>(rows.size());
    for (const Row& r : rows) {
      s.latest = r.s(0);
      if (r.s(1) == "production") s.production = r.s(0);
    }
    out.push_back(std::move(s));
  }
  return out;
}

Status Registry::add_history(int64_t version_id, const std::string& kind, const std::string& from, const std::string& to,
                             const Json& detail, const std::string& actor) {
  return db_
      .execute("INSERT INTO history (version_id, kind, from_stage, to_stage, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
               {version_id, kind, from, to, detail.dump(), actor.empty() ? current_actor() : actor, store::utc_now_iso8601()})
      .status();
}

}  // namespace fogline::registry
