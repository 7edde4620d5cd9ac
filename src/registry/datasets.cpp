#include "registry/datasets.h"

#include <algorithm>

#include "core/sha256.h"

namespace fogline::registry {
namespace {

using store::Row;
using store::Transaction;

constexpr const char* kColumns =
    "d.name, v.number, v.version, v.format, v.task, v.path, v.items, v.files, v.boxes, v.issues, v.classes, v.slices,"
    " v.issue_counts, v.load_options, v.created_by, v.created_at";

Result<Json> json_column(const std::string& text, const std::string& what) {
  try {
    return Json::parse(text);
  } catch (const std::exception& e) {
    return internal_error(what + " holds invalid JSON: " + e.what());
  }
}

Result<DatasetVersionRecord> from_row(const Row& r) {
  DatasetVersionRecord d;
  d.name = r.s(0);
  d.number = r.i(1);
  d.version = r.s(2);
  d.format = r.s(3);
  d.task = r.s(4);
  d.path = r.s(5);
  d.items = r.i(6);
  d.files = r.i(7);
  d.boxes = r.i(8);
  d.issues = r.i(9);
  std::string where = "dataset " + d.ref() + " ";
  FOGLINE_ASSIGN_OR_RETURN(d.classes, json_column(r.s(10), where + "classes"));
  FOGLINE_ASSIGN_OR_RETURN(d.slices, json_column(r.s(11), where + "slices"));
  FOGLINE_ASSIGN_OR_RETURN(d.issue_counts, json_column(r.s(12), where + "issue_counts"));
  FOGLINE_ASSIGN_OR_RETURN(d.load_options, json_column(r.s(13), where + "load_options"));
  d.created_by = r.s(14);
  d.created_at = r.s(15);
  return d;
}

Result<std::vector<DatasetVersionRecord>> query_versions(store::Database& db, const std::string& where, const store::SqlParams& params) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query(std::string("SELECT ") + kColumns +
                                                   " FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE " + where +
                                                   " ORDER BY v.number",
                                               params));
  std::vector<DatasetVersionRecord> out;
  for (const Row& r : rows) {
    FOGLINE_ASSIGN_OR_RETURN(DatasetVersionRecord d, from_row(r));
    out.push_back(std::move(d));
  }
  return out;
}

bool is_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<RegisteredDataset> register_dataset_version(Registry& registry, const NewDatasetVersion& spec) {
  FOGLINE_TRY(check_model_name(spec.name).with_context("dataset name"));
  if (!is_sha256_hex(spec.content_sha256))
    return invalid_argument("dataset " + spec.name + ": content hash '" + spec.content_sha256 + "' is not 64 hex characters");
  store::Database& db = registry.home().db();
  std::string actor = spec.actor.empty() ? current_actor() : spec.actor;
  std::string now = store::utc_now_iso8601();
  std::string version = "sha256:" + spec.content_sha256;
  FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
  FOGLINE_TRY(db.execute("INSERT INTO datasets (name, created_by, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                         {spec.name, actor, now})
                  .status());
  FOGLINE_ASSIGN_OR_RETURN(Row ds, db.query_row("SELECT id FROM datasets WHERE name = ?", {spec.name}, "dataset " + spec.name));
  int64_t dataset_id = ds.i(0);
  FOGLINE_ASSIGN_OR_RETURN(auto existing,
                           db.query("SELECT id FROM dataset_versions WHERE dataset_id = ? AND version = ?", {dataset_id, version}));
  RegisteredDataset out;
  if (!existing.empty()) {
    FOGLINE_TRY(db.execute("UPDATE dataset_versions SET path = ?, load_options = ? WHERE id = ?",
                           {spec.path, spec.load_options.dump(), existing[0].i(0)})
                    .status());
  } else {
    FOGLINE_ASSIGN_OR_RETURN(Row next, db.query_row("SELECT COALESCE(MAX(number), 0) + 1 FROM dataset_versions WHERE dataset_id = ?",
                                                    {dataset_id}, "dataset " + spec.name));
    FOGLINE_TRY(db.execute("INSERT INTO dataset_versions (dataset_id, number, version, format, task, path, items, files, boxes,"
                           " classes, slices, issues, issue_counts, load_options, created_by, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           {dataset_id, next.i(0), version, spec.format, spec.task, spec.path, spec.items, spec.files, spec.boxes,
                            spec.classes.dump(), spec.slices.dump(), spec.issues, spec.issue_counts.dump(),
                            spec.load_options.dump(), actor, now})
                    .status());
    out.created = true;
  }
  FOGLINE_ASSIGN_OR_RETURN(auto rows, query_versions(db, "v.dataset_id = ? AND v.version = ?", {dataset_id, version}));
  if (rows.empty()) return internal_error("dataset " + spec.name + " " + version + " vanished inside its transaction");
  out.version = rows[0];
  FOGLINE_TRY(tx.commit());
  return out;
}

Result<std::vector<DatasetSummary>> list_datasets(Registry& registry) {
  store::Database& db = registry.home().db();
  FOGLINE_ASSIGN_OR_RETURN(auto names, db.query("SELECT name FROM datasets ORDER BY name"));
  std::vector<DatasetSummary> out;
  for (const Row& n : names) {
    FOGLINE_ASSIGN_OR_RETURN(auto versions, query_versions(db, "d.name = ?", {n.s(0)}));
    if (versions.empty()) continue;
    out.push_back({n.s(0), static_cast<int64_t>(versions.size()), versions.back()});
  }
  return out;
}

Result<std::vector<DatasetVersionRecord>> dataset_versions(Registry& registry, const std::string& name) {
  FOGLINE_ASSIGN_OR_RETURN(auto versions, query_versions(registry.home().db(), "d.name = ?", {name}));
  if (versions.empty()) return not_found("no dataset named '" + name + "' (fogline data add " + name + " PATH registers one)");
  return versions;
}

Result<DatasetVersionRecord> get_dataset_version(Registry& registry, const std::string& ref) {
  size_t at = ref.find('@');
  std::string name = ref.substr(0, at), selector = at == std::string::npos ? "" : ref.substr(at + 1);
  FOGLINE_ASSIGN_OR_RETURN(auto versions, dataset_versions(registry, name));
  if (selector.empty()) return versions.back();
  std::string hex = selector.rfind("sha256:", 0) == 0 ? selector.substr(7) : selector;
  std::vector<const DatasetVersionRecord*> matches;
  for (const auto& v : versions) {
    if (std::to_string(v.number) == selector) return v;
    if (hex.size() >= 8 && is_hex(hex) && v.version.compare(7, hex.size(), hex) == 0) matches.push_back(&v);
  }
  if (matches.size() == 1) return *matches[0];
  if (matches.size() > 1) return invalid_argument("dataset version '" + ref + "' is ambiguous: give more of the hash");
  return not_found("dataset '" + name + "' has no version '" + selector + "' (a number, or 8+ hex digits of its sha256)");
}

Result<std::vector<DatasetEvaluation>> dataset_evaluations(Registry& registry, const std::string& name) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, registry.home().db().query(
                                          "SELECT m.name, v.version, mt.dataset_version, mt.metrics, mt.recorded_at"
                                          " FROM metrics mt JOIN versions v ON v.id = mt.version_id JOIN models m ON m.id = v.model_id"
                                          " WHERE mt.dataset = ? AND mt.slice_key = '' ORDER BY mt.recorded_at, m.name, v.id",
                                          {name}));
  std::vector<DatasetEvaluation> out;
  for (const Row& r : rows) {
    DatasetEvaluation e{r.s(0) + "@" + r.s(1), r.s(2), Json::object(), r.s(4)};
    FOGLINE_ASSIGN_OR_RETURN(e.overall, json_column(r.s(3), "metrics of " + e.model_version + " on " + name));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace fogline::registry
