#include "hub/enrollment.h"

#include <cctype>

#include "core/sha256.h"
#include "hub/api_tokens.h"
#include "hub/schema.h"

namespace fogline::hub {

Result<Labels> parse_labels(const std::string& text) {
  Labels out;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t comma = text.find(',', start);
    std::string pair = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      return invalid_argument("label '" + pair + "' is not KEY=VALUE (in '" + text + "')");
    std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
    for (char c : key)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
        return invalid_argument("label key '" + key + "' may only hold letters, digits, '-', '_' and '.'");
    out[key] = value;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<int64_t> parse_duration_seconds(const std::string& text) {
  if (text.empty()) return invalid_argument("empty duration");
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits + 1 < text.size())
    return invalid_argument("duration '" + text + "' is not N, Ns, Nm, Nh or Nd");
  int64_t n = std::stoll(text.substr(0, digits));
  char unit = digits < text.size() ? text[digits] : 's';
  switch (unit) {
    case 's': return n;
    case 'm': return n * 60;
    case 'h': return n * 3600;
    case 'd': return n * 86400;
  }
  return invalid_argument("duration '" + text + "' has unknown unit '" + std::string(1, unit) + "'");
}

Result<EnrollToken> create_enroll_token(store::Database& db, const Labels& labels, int64_t ttl_seconds,
                                        const std::string& created_by) {
  if (ttl_seconds <= 0) return invalid_argument("enrollment token lifetime must be positive");
  EnrollToken t;
  t.token = random_token("fge_");
  t.expires_unix = unix_now() + ttl_seconds;
  nlohmann::json j(labels);
  FOGLINE_TRY(db.execute(
                    "INSERT INTO hub_enroll_tokens (token_sha256, labels, expires_unix, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    {token_hash(t.token), j.dump(), t.expires_unix, created_by, store::utc_now_iso8601()})
                  .status());
  return t;
}

std::string node_id_for(const crypto::PublicKey& sign_public) {
  return "node-" + sha256_hex(crypto::as_view(sign_public)).substr(0, 16);
}

nlohmann::json NodeRecord::to_json() const {
  return {{"id", id},           {"name", name},
          {"sign_public", sign_public}, {"box_public", box_public},
          {"labels", labels},   {"enrolled_at", enrolled_at},
          {"last_seen", last_seen}};
}

namespace {

Result<NodeRecord> node_from_row(const store::Row& r) {
  NodeRecord n;
  n.id = r.s(0);
  n.name = r.s(1);
  n.sign_public = r.s(2);
  n.box_public = r.s(3);
  auto labels = nlohmann::json::parse(r.s(4), nullptr, false);
  if (labels.is_discarded() || !labels.is_object()) return internal_error("node " + n.id + " has unreadable labels");
  for (auto& [k, v] : labels.items()) n.labels[k] = v.get<std::string>();
  n.enrolled_at = r.s(5);
  n.last_seen = r.s(6);
  n.last_seen_unix = r.i(7);
  if (!r.s(8).empty()) {
    n.last_report = nlohmann::json::parse(r.s(8), nullptr, false);
    if (n.last_report.is_discarded()) n.last_report = nullptr;
  }
  n.last_report_at = r.s(9);
  return n;
}

constexpr const char* kNodeColumns =
    "id, name, sign_public, box_public, labels, enrolled_at, last_seen, last_seen_unix, last_report, last_report_at";

}  // namespace

Result<NodeRecord> redeem_enroll_token(store::Database& db, const std::string& token, const crypto::PublicKey& sign_public,
                                       const crypto::PublicKey& box_public, const std::string& name) {
  FOGLINE_ASSIGN_OR_RETURN(auto tx, store::Transaction::begin(db));
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT id, labels, expires_unix, used_unix FROM hub_enroll_tokens "
                                               "WHERE token_sha256 = ?",
                                               {token_hash(token)}));
  if (rows.empty()) return not_found("unknown enrollment token");
  int64_t now = unix_now();
  if (rows[0].i(3) != 0) return invalid_argument("enrollment token was already used");
  if (now > rows[0].i(2))
    return invalid_argument("enrollment token expired " + std::to_string(now - rows[0].i(2)) + " s ago");
  NodeRecord n;
  n.id = node_id_for(sign_public);
  n.name = name.empty() ? n.id : name;
  n.sign_public = to_hex(crypto::as_view(sign_public));
  n.box_public = to_hex(crypto::as_view(box_public));
  n.enrolled_at = store::utc_now_iso8601();
  FOGLINE_ASSIGN_OR_RETURN(auto existing, db.query("SELECT id FROM hub_nodes WHERE id = ?", {n.id}));
  if (!existing.empty()) return invalid_argument("a node with this public key is already enrolled as " + n.id);
  // The used_unix = 0 condition makes the check and the marking one step.
  FOGLINE_ASSIGN_OR_RETURN(int64_t marked,
                           db.execute("UPDATE hub_enroll_tokens SET used_unix = ?, node_id = ? WHERE id = ? AND used_unix = 0",
                                      {now, n.id, rows[0].i(0)}));
  if (marked != 1) return invalid_argument("enrollment token was already used");
  // Enrolling is the node's first contact: a node that never calls again goes quiet from here.
  FOGLINE_TRY(db.execute("INSERT INTO hub_nodes (id, sign_public, box_public, name, labels, enrolled_at, last_seen, "
                         "last_seen_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         {n.id, n.sign_public, n.box_public, n.name, rows[0].s(1), n.enrolled_at, n.enrolled_at, now})
                  .status());
  FOGLINE_TRY(tx.commit());
  FOGLINE_ASSIGN_OR_RETURN(n, get_node(db, n.id));
  return n;
}

Result<std::vector<NodeRecord>> list_nodes(store::Database& db) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query(std::string("SELECT ") + kNodeColumns + " FROM hub_nodes ORDER BY id"));
  std::vector<NodeRecord> out;
  for (const auto& r : rows) {
    FOGLINE_ASSIGN_OR_RETURN(NodeRecord n, node_from_row(r));
    out.push_back(std::move(n));
  }
  return out;
}

Result<NodeRecord> get_node(store::Database& db, const std::string& node_id) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows,
                           db.query(std::string("SELECT ") + kNodeColumns + " FROM hub_nodes WHERE id = ?", {node_id}));
  if (rows.empty()) return not_found("no enrolled node '" + node_id + "'");
  return node_from_row(rows[0]);
}

Result<NodeRecord> find_node(store::Database& db, const std::string& id_or_name) {
  auto by_id = get_node(db, id_or_name);
  if (by_id.is_ok() || by_id.status().code() != StatusCode::kNotFound) return by_id;
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query(std::string("SELECT ") + kNodeColumns +
                                                   " FROM hub_nodes WHERE name = ? ORDER BY id",
                                               {id_or_name}));
  if (rows.empty()) return not_found("no enrolled node with id or name '" + id_or_name + "'");
  if (rows.size() > 1) {
    std::string ids;
    for (const auto& r : rows) ids += (ids.empty() ? "" : ", ") + r.s(0);
    return invalid_argument("name '" + id_or_name + "' is shared by nodes " + ids + ": give the id");
  }
  return node_from_row(rows[0]);
}

Status touch_node(store::Database& db, const std::string& node_id) {
  return db.execute("UPDATE hub_nodes SET last_seen = ?, last_seen_unix = ? WHERE id = ?",
                    {store::utc_now_iso8601(), unix_now(), node_id})
      .status();
}

Status record_node_report(store::Database& db, const std::string& node_id, const nlohmann::json& report) {
  return db.execute("UPDATE hub_nodes SET last_report = ?, last_report_at = ? WHERE id = ?",
                    {report.dump(), store::utc_now_iso8601(), node_id})
      .status();
}

}  // namespace fogline::hub
