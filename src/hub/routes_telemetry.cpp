// Telemetry from nodes (docs/formats/telemetry.md, "Batch"): a node-signed POST of one zstd
// frame holding a JSON batch, and the admin/developer view of what a node sent.
//
// Exactly-once counting: the node sends at least once (a batch is resent until a 2xx arrives),
// and the hub stores each record under the primary key (node, queue id, seq), so a resent
// record is counted as a duplicate and never twice. The key lives in the database, so this
// holds across hub restarts too (an in-memory window such as the node side's SequenceWindow
// would forget what it saw when the hub is killed mid-batch). Drop counters are cumulative on
// the node; the hub keeps the largest value per (node, queue).
#include <zstd.h>

#include <algorithm>
#include <set>

#include "hub/enrollment.h"
#include "hub/hub_metrics.h"
#include "hub/route.h"
#include "store/database.h"

namespace fogline::hub {

Result<Reply> handle_node_telemetry(HubContext&, const RouteRequest&);
Result<Reply> handle_get_node_telemetry(HubContext&, const RouteRequest&);

namespace {

constexpr uint64_t kMaxBatchBytes = 64ull << 20;  // as the node's decode_batch default

Result<std::string> zstd_frame(const std::string& body) {
  unsigned long long size = ZSTD_getFrameContentSize(body.data(), body.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return invalid_argument("telemetry body is not a zstd frame");
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) return invalid_argument("telemetry zstd frame lacks its content size");
  if (size > kMaxBatchBytes)
    return invalid_argument("telemetry batch of " + std::to_string(size) + " bytes exceeds the limit of " +
                            std::to_string(kMaxBatchBytes));
  std::string out(static_cast<size_t>(size), '\0');
  size_t got = ZSTD_decompress(out.data(), out.size(), body.data(), body.size());
  if (ZSTD_isError(got)) return invalid_argument(std::string("telemetry zstd frame: ") + ZSTD_getErrorName(got));
  if (got != size) return invalid_argument("telemetry zstd frame decompressed to fewer bytes than it declares");
  return out;
}

// Element-wise maximum of two drop-counter objects (numbers at any depth).
Json max_counters(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return std::max(a.get<uint64_t>(), b.get<uint64_t>());
  if (!a.is_object() || !b.is_object()) return b.is_null() ? a : b;
  Json out = a;
  for (auto& [k, v] : b.items()) out[k] = out.contains(k) ? max_counters(out[k], v) : v;
  return out;
}

Status check_record(const Json& r, size_t i) {
  std::string where = "records[" + std::to_string(i) + "]";
  if (!r.is_object()) return invalid_argument(where + " must be an object");
  if (!r.contains("seq") || !r["seq"].is_number_unsigned() || r["seq"].get<uint64_t>() == 0)
    return invalid_argument(where + ".seq must be a positive integer");
  if (!r.contains("priority") || !r["priority"].is_string())
    return invalid_argument(where + ".priority must be \"low\", \"normal\" or \"high\"");
  std::string p = r["priority"];
  if (p != "low" && p != "normal" && p != "high")
    return invalid_argument(where + ".priority must be \"low\", \"normal\" or \"high\", got \"" + p + "\"");
  if (!r.contains("time_ms") || !r["time_ms"].is_number_integer()) return invalid_argument(where + ".time_ms must be an integer");
  if (!r.contains("kind") || !r["kind"].is_string() || r["kind"].get<std::string>().empty())
    return invalid_argument(where + ".kind must be a non-empty string");
  if (!r.contains("body")) return invalid_argument(where + ".body is missing");
  return Status::ok();
}

}  // namespace

Result<Reply> handle_node_telemetry(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, zstd_frame(req.body));
  Json batch = Json::parse(text, nullptr, false);
  if (!batch.is_object()) return invalid_argument("telemetry batch is not a JSON object");
  if (batch.value("format", std::string()) != "fogline-telemetry")
    return invalid_argument("telemetry batch: field 'format' must be \"fogline-telemetry\"");
  if (!batch.contains("version") || batch["version"] != 1)
    return invalid_argument("telemetry batch: version " + batch.value("version", Json()).dump() + " is not 1");
  if (batch.value("node_id", std::string()) != req.caller.node_id)
    return invalid_argument("telemetry batch: node_id '" + batch.value("node_id", std::string()) +
                            "' is not the signing node '" + req.caller.node_id + "'");
  if (!batch.contains("queue_id") || !batch["queue_id"].is_string() || batch["queue_id"].get<std::string>().empty())
    return invalid_argument("telemetry batch: field 'queue_id' (non-empty string) is required");
  if (!batch.contains("records") || !batch["records"].is_array())
    return invalid_argument("telemetry batch: field 'records' (array) is required");
  const Json& records = batch["records"];
  for (size_t i = 0; i < records.size(); ++i) FOGLINE_TRY(check_record(records[i], i));
  std::string queue_id = batch["queue_id"];
  uint64_t floor_seq = batch.value("floor_seq", uint64_t{0});

  store::Database& db = ctx.registry->home().db();
  std::string now = store::utc_now_iso8601();
  int64_t accepted = 0, duplicates = 0;
  {
    // One transaction per batch: all of it is counted, or none (and the node sends it again).
    FOGLINE_ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::begin(db));
    for (const auto& r : records) {
      std::string body = r["body"].is_string() ? r["body"].get<std::string>() : r["body"].dump();
      FOGLINE_ASSIGN_OR_RETURN(
          int64_t n, db.execute("INSERT INTO hub_telemetry (node_id, queue_id, seq, priority, kind, time_ms, body, "
                                "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                                "ON CONFLICT (node_id, queue_id, seq) DO NOTHING",
                                {req.caller.node_id, queue_id, r["seq"].get<uint64_t>(), r["priority"].get<std::string>(),
                                 r["kind"].get<std::string>(), r["time_ms"].get<int64_t>(), body, now}));
      if (n > 0) ++accepted;
      else ++duplicates;
    }
    FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT dropped, floor_seq FROM hub_telemetry_queues WHERE node_id = ? "
                                                 "AND queue_id = ?",
                                                 {req.caller.node_id, queue_id}));
    Json dropped = batch.value("dropped", Json::object());
    if (!rows.empty()) {
      Json before = Json::parse(rows[0].s(0), nullptr, false);
      if (!before.is_discarded()) dropped = max_counters(before, dropped);
      floor_seq = std::max<uint64_t>(floor_seq, static_cast<uint64_t>(rows[0].i(1)));
    }
    FOGLINE_TRY(db.execute("INSERT INTO hub_telemetry_queues (node_id, queue_id, floor_seq, batches, duplicates, dropped, "
                           "last_batch_at) VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (node_id, queue_id) DO UPDATE SET "
                           "floor_seq = excluded.floor_seq, batches = hub_telemetry_queues.batches + 1, "
                           "duplicates = hub_telemetry_queues.duplicates + excluded.duplicates, "
                           "dropped = excluded.dropped, last_batch_at = excluded.last_batch_at",
                           {req.caller.node_id, queue_id, floor_seq, duplicates, dropped.dump(), now})
                    .status());
    FOGLINE_TRY(tx.commit());
  }
  if (ctx.counters) {
    ctx.counters->telemetry_records += static_cast<uint64_t>(accepted);
    ctx.counters->telemetry_duplicates += static_cast<uint64_t>(duplicates);
  }
  Reply r;
  r.json = {{"node_id", req.caller.node_id}, {"queue_id", queue_id}, {"accepted", accepted}, {"duplicates", duplicates}};
  return r;
}

Result<Reply> handle_get_node_telemetry(HubContext& ctx, const RouteRequest& req) {
  std::string node_id = req.path.at("id");
  store::Database& db = ctx.registry->home().db();
  FOGLINE_TRY(get_node(db, node_id).status());
  int64_t limit = 50;
  if (req.has_query("limit")) {
    try {
      limit = std::stoll(req.query_or("limit"));
    } catch (const std::exception&) {
      return invalid_argument("?limit must be an integer, got '" + req.query_or("limit") + "'");
    }
    limit = std::clamp<int64_t>(limit, 0, 1000);
  }
  std::string kind = req.query_or("kind");
  Json out = {{"node_id", node_id}};
  FOGLINE_ASSIGN_OR_RETURN(auto kinds, db.query("SELECT kind, COUNT(*) FROM hub_telemetry WHERE node_id = ? GROUP BY kind "
                                                "ORDER BY kind",
                                                {node_id}));
  Json by_kind = Json::object();
  int64_t total = 0;
  for (const auto& k : kinds) by_kind[k.s(0)] = k.i(1), total += k.i(1);
  out["records"] = total;
  out["by_kind"] = by_kind;
  FOGLINE_ASSIGN_OR_RETURN(
      auto queues,
      db.query("SELECT q.queue_id, q.floor_seq, q.batches, q.duplicates, q.dropped, q.last_batch_at, "
               "(SELECT COUNT(*) FROM hub_telemetry t WHERE t.node_id = q.node_id AND t.queue_id = q.queue_id), "
               "(SELECT MIN(seq) FROM hub_telemetry t WHERE t.node_id = q.node_id AND t.queue_id = q.queue_id), "
               "(SELECT MAX(seq) FROM hub_telemetry t WHERE t.node_id = q.node_id AND t.queue_id = q.queue_id) "
               "FROM hub_telemetry_queues q WHERE q.node_id = ? ORDER BY q.last_batch_at",
               {node_id}));
  Json qs = Json::array();
  int64_t duplicates = 0;
  for (const auto& q : queues) {
    Json dropped = Json::parse(q.s(4), nullptr, false);
    duplicates += q.i(3);
    qs.push_back({{"queue_id", q.s(0)},
                  {"floor_seq", q.i(1)},
                  {"batches", q.i(2)},
                  {"duplicates", q.i(3)},
                  {"dropped", dropped.is_discarded() ? Json::object() : dropped},
                  {"last_batch_at", q.s(5)},
                  {"records", q.i(6)},
                  {"min_seq", q.i(7)},
                  {"max_seq", q.i(8)}});
  }
  out["duplicates"] = duplicates;
  out["queues"] = qs;
  std::string sql = "SELECT queue_id, seq, priority, kind, time_ms, body FROM hub_telemetry WHERE node_id = ?";
  store::SqlParams params = {node_id};
  if (!kind.empty()) {
    sql += " AND kind = ?";
    params.push_back(kind);
  }
  sql += " ORDER BY time_ms DESC, seq DESC LIMIT ?";
  params.push_back(limit);
  FOGLINE_ASSIGN_OR_RETURN(auto recent, db.query(sql, params));
  Json list = Json::array();
  for (const auto& r : recent) {
    Json body = Json::parse(r.s(5), nullptr, false);
    list.push_back({{"queue_id", r.s(0)},
                    {"seq", r.i(1)},
                    {"priority", r.s(2)},
                    {"kind", r.s(3)},
                    {"time_ms", r.i(4)},
                    {"body", body.is_discarded() ? Json(r.s(5)) : body}});
  }
  out["recent"] = list;
  Reply reply;
  reply.json = out;
  return reply;
}

}  // namespace fogline::hub
