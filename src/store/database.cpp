#include "store/database.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "store/postgres_database.h"
#include "store/sqlite_database.h"

namespace fogline::store {

int64_t SqlValue::as_int() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return *i;
  if (auto* d = std::get_if<double>(&v_)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v_)) return std::strtoll(s->c_str(), nullptr, 10);
  return 0;
}

double SqlValue::as_double() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (auto* s = std::get_if<std::string>(&v_)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::string SqlValue::as_text() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v_)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (auto* s = std::get_if<std::string>(&v_)) return *s;
  return "";
}

const char* backend_name(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgresql";
}

Result<std::unique_ptr<Database>> Database::open(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres(url);
  std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
  if (path.empty()) return invalid_argument("database URL '" + url + "' names no file");
  return open_sqlite(path);
}

Result<std::vector<Row>> Database::query(std::string_view sql, const SqlParams& params) {
  FOGLINE_ASSIGN_OR_RETURN(QueryResult r, run(sql, params));
  return std::move(r.rows);
}

Result<Row> Database::query_row(std::string_view sql, const SqlParams& params, const std::string& what) {
  FOGLINE_ASSIGN_OR_RETURN(QueryResult r, run(sql, params));
  if (r.rows.empty()) return not_found(what + " not found");
  if (r.rows.size() > 1) return internal_error(what + ": expected one row, got " + std::to_string(r.rows.size()));
  return std::move(r.rows.front());
}

Result<int64_t> Database::execute(std::string_view sql, const SqlParams& params) {
  FOGLINE_ASSIGN_OR_RETURN(QueryResult r, run(sql, params));
  return r.affected;
}

Result<Transaction> Transaction::begin(Database& db) {
  if (db.in_transaction_) return internal_error("nested transaction on " + db.describe());
  FOGLINE_TRY(db.begin());
  db.in_transaction_ = true;
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ && db_->in_transaction_) {
    (void)db_->rollback();
    db_->in_transaction_ = false;
  }
}

Status Transaction::commit() {
  if (!db_ || !db_->in_transaction_) return internal_error("commit of a finished transaction");
  Status s = db_->commit();
  if (!s) {
    (void)db_->rollback();
  }
  db_->in_transaction_ = false;
  return s;
}

std::string utc_now_iso8601() { return iso8601_utc(static_cast<int64_t>(std::time(nullptr))); }

std::string iso8601_utc(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string sql_excerpt(std::string_view sql) {
  std::string s(sql.substr(0, 120));
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s + (sql.size() > 120 ? "..." : "");
}

}  // namespace fogline::store
