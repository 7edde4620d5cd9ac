// What happens to a version after it exists: tags, stages, history, its processing spec.
#include "registry/registry.h"

namespace fogline::registry {
namespace {
using store::Row;
using store::Transaction;
}  // namespace

Status Registry::tag(const std::string& ref, const std::string& tag, const std::string& actor) {
  FOGLINE_TRY(check_version_name(tag).with_context("tag"));
  if (parse_stage(tag).is_ok()) return invalid_argument("'" + tag + "' is a stage name and cannot be a tag");
  FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  FOGLINE_ASSIGN_OR_RETURN(Row v, db_.query_row("SELECT model_id, version FROM versions WHERE id = ?", {id}, ref));
  FOGLINE_ASSIGN_OR_RETURN(auto clash, db_.query("SELECT id FROM versions WHERE model_id = ? AND version = ?", {v.i(0), tag}));
  if (!clash.empty()) return invalid_argument("'" + tag + "' is already a version of this model; a tag must differ");
  std::string who = actor.empty() ? current_actor() : actor;
  FOGLINE_ASSIGN_OR_RETURN(auto before, db_.query("SELECT v.version FROM tags t JOIN versions v ON v.id = t.version_id"
                                                  " WHERE t.model_id = ? AND t.tag = ?",
                                                  {v.i(0), tag}));
  FOGLINE_TRY(db_.execute("INSERT INTO tags (model_id, tag, version_id, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)"
                          " ON CONFLICT (model_id, tag) DO UPDATE SET version_id = excluded.version_id,"
                          " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                          {v.i(0), tag, id, who, store::utc_now_iso8601()})
                  .status());
  Json detail = {{"tag", tag}};
  if (!before.empty()) detail["moved_from"] = before[0].s(0);
  FOGLINE_TRY(add_history(id, "tag", "", "", detail, who));
  return tx.commit();
}

Status Registry::untag(const std::string& model, const std::string& tag, const std::string& actor) {
  FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT t.model_id, t.version_id FROM tags t JOIN models m ON m.id = t.model_id"
                                                " WHERE m.name = ? AND t.tag = ?",
                                                {model, tag}));
  if (rows.empty()) return not_found("model '" + model + "' has no tag '" + tag + "'");
  FOGLINE_TRY(db_.execute("DELETE FROM tags WHERE model_id = ? AND tag = ?", {rows[0].i(0), tag}).status());
  FOGLINE_TRY(add_history(rows[0].i(1), "untag", "", "", {{"tag", tag}}, actor));
  return tx.commit();
}

Result<std::vector<std::string>> Registry::promote(const std::string& ref, Stage stage, const std::string& note,
                                                   const std::string& actor) {
  FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  FOGLINE_ASSIGN_OR_RETURN(Row v, db_.query_row("SELECT model_id, stage, version FROM versions WHERE id = ?", {id}, ref));
  std::string from = v.s(1), to = stage_name(stage);
  if (from == to) return invalid_argument(ref + " is already in stage " + to);
  Json detail = Json::object();
  if (!note.empty()) detail["note"] = note;
  std::vector<std::string> archived;
  if (stage == Stage::kProduction) {
    FOGLINE_ASSIGN_OR_RETURN(auto current, db_.query("SELECT id, version FROM versions WHERE model_id = ? AND stage = 'production' AND id <> ?",
                                                     {v.i(0), id}));
    for (const Row& c : current) {
      FOGLINE_TRY(db_.execute("UPDATE versions SET stage = 'archived' WHERE id = ?", {c.i(0)}).status());
      FOGLINE_TRY(add_history(c.i(0), "stage", "production", "archived", {{"replaced_by", v.s(2)}}, actor));
      archived.push_back(c.s(1));
    }
  }
  FOGLINE_TRY(db_.execute("UPDATE versions SET stage = ? WHERE id = ?", {to, id}).status());
  FOGLINE_TRY(add_history(id, "stage", from, to, detail, actor));
  FOGLINE_TRY(tx.commit());
  return archived;
}

Status Registry::append_history(const std::string& ref, const std::string& kind, const Json& detail, const std::string& actor) {
  if (kind.empty() || kind == "created" || kind == "stage")
    return invalid_argument("history kind '" + kind + "' is written by the registry itself");
  if (!detail.is_object()) return invalid_argument("history detail must be a JSON object");
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  return add_history(id, kind, "", "", detail, actor);
}

Result<std::vector<HistoryEntry>> Registry::history(const std::string& ref) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT h.id, v.version, h.kind, h.from_stage, h.to_stage, h.detail, h.actor, h.at"
                                                " FROM history h JOIN versions v ON v.id = h.version_id WHERE h.version_id = ? ORDER BY h.id",
                                                {id}));
  std::vector<HistoryEntry> out;
  for (const Row& r : rows) {
    HistoryEntry e{r.i(0), r.s(1), r.s(2), r.s(3), r.s(4), Json::object(), r.s(6), r.s(7)};
    try {
      e.detail = Json::parse(r.s(5));
    } catch (const std::exception& ex) {
      return internal_error("history entry #" + std::to_string(e.id) + " holds invalid JSON: " + ex.what());
    }
    out.push_back(std::move(e));
  }
  return out;
}

Status Registry::set_processing_spec(const std::string& ref, const Json& spec, const std::string& actor) {
  if (!spec.is_object()) return invalid_argument("a processing spec must be a JSON object, got " + spec.dump());
  FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  FOGLINE_TRY(db_.execute("UPDATE versions SET processing_spec = ? WHERE id = ?", {spec.dump(), id}).status());
  FOGLINE_TRY(add_history(id, "spec", "", "", {{"processing_spec", spec}}, actor));
  return tx.commit();
}

Status Registry::record_metrics(const std::string& ref, const std::string& dataset, const std::string& dataset_version,
                                const std::vector<SliceMetrics>& slices, const std::function<void()>& mid_transaction) {
  if (dataset.empty()) return invalid_argument("metrics need a dataset name");
  for (const SliceMetrics& s : slices) {
    if (!s.metrics.is_object())
      return invalid_argument("metrics of slice '" + s.slice_key + "=" + s.slice_value + "' must be a JSON object");
    if (s.slice_key.empty() != s.slice_value.empty())
      return invalid_argument("slice '" + s.slice_key + "=" + s.slice_value + "' needs both a key and a value (or neither, for overall)");
  }
  FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db_));
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  std::string now = store::utc_now_iso8601();
  for (const SliceMetrics& s : slices) {
    FOGLINE_TRY(db_.execute("INSERT INTO metrics (version_id, dataset, dataset_version, slice_key, slice_value, metrics, recorded_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)"
                            " ON CONFLICT (version_id, dataset, dataset_version, slice_key, slice_value)"
                            " DO UPDATE SET metrics = excluded.metrics, recorded_at = excluded.recorded_at",
                            {id, dataset, dataset_version, s.slice_key, s.slice_value, s.metrics.dump(), now})
                    .status());
    if (mid_transaction && &s == &slices.front()) mid_transaction();
  }
  FOGLINE_TRY(add_history(id, "evaluation", "", "",
                          {{"dataset", dataset}, {"dataset_version", dataset_version}, {"slices", slices.size()}}, ""));
  return tx.commit();
}

Result<std::vector<MetricRecord>> Registry::metrics(const std::string& ref, const std::string& dataset) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t id, resolve_version_id(ref));
  std::string sql = "SELECT dataset, dataset_version, slice_key, slice_value, metrics, recorded_at FROM metrics WHERE version_id = ?";
  store::SqlParams params = {id};
  if (!dataset.empty()) {
    sql += " AND dataset = ?";
    params.emplace_back(dataset);
  }
  sql += " ORDER BY dataset, dataset_version, slice_key, slice_value";
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db_.query(sql, params));
  std::vector<MetricRecord> out;
  for (const Row& r : rows) {
    MetricRecord m{r.s(0), r.s(1), {r.s(2), r.s(3), Json::object()}, r.s(5)};
    try {
      m.slice.metrics = Json::parse(r.s(4));
    } catch (const std::exception& e) {
      return internal_error("metrics of " + ref + " on " + m.dataset + " hold invalid JSON: " + e.what());
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace fogline::registry
