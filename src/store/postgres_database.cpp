#include "store/postgres_database.h"

#include <libpq-fe.h>

#include <regex>

namespace fogline::store {
namespace {

// Type oids from PostgreSQL's pg_type.dat (stable across versions).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kOidOid = 26,
              kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

std::string redact(const std::string& url) {
  // postgresql://user:secret@host -> postgresql://user:***@host
  static const std::regex password(R"(^(postgres(?:ql)?://[^:/@]*):[^@]*@)");
  return std::regex_replace(url, password, "$1:***@");
}

void ignore_notice(void*, const char*) {}

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(PGconn* conn, std::string url) : conn_(conn), url_(redact(url)) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  Backend backend() const override { return Backend::kPostgres; }
  std::string describe() const override { return url_; }

  Result<QueryResult> run(std::string_view sql, const SqlParams& params) override {
    std::string text = number_placeholders(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size());
    std::vector<Oid> types(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (v.is_null()) {
        values[i] = nullptr;
        types[i] = 0;
        continue;
      }
      storage[i] = v.as_text();
      values[i] = storage[i].c_str();
      types[i] = v.is_int() ? kInt8Oid : v.is_double() ? kFloat8Oid : 0;  // text: let the server infer
    }
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), types.data(),
                                 values.data(), nullptr, nullptr, 0);
    std::unique_ptr<PGresult, void (*)(PGresult*)> guard(res, PQclear);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return error(res, "running", sql);
    QueryResult result;
    int rows = PQntuples(res), cols = PQnfields(res);
    for (int r = 0; r < rows; ++r) {
      Row row;
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.values.emplace_back();
          continue;
        }
        std::string cell(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c)));
        Oid type = PQftype(res, c);
        if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid || type == kOidOid)
          row.values.emplace_back(static_cast<int64_t>(std::strtoll(cell.c_str(), nullptr, 10)));
        else if (type == kFloat4Oid || type == kFloat8Oid || type == kNumericOid)
          row.values.emplace_back(std::strtod(cell.c_str(), nullptr));
        else if (type == kBoolOid)
          row.values.emplace_back(static_cast<int64_t>(cell == "t" ? 1 : 0));
        else
          row.values.emplace_back(std::move(cell));
      }
      result.rows.push_back(std::move(row));
    }
    const char* affected = PQcmdTuples(res);
    result.affected = affected && *affected ? std::strtoll(affected, nullptr, 10) : 0;
    return result;
  }

  Status run_script(std::string_view sql) override {
    std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    std::unique_ptr<PGresult, void (*)(PGresult*)> guard(res, PQclear);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return error(res, "running script", sql);
    return Status::ok();
  }

 protected:
  Status begin() override { return run_script("BEGIN"); }
  Status commit() override { return run_script("COMMIT"); }
  Status rollback() override { return run_script("ROLLBACK"); }

 private:
  Status error(PGresult* res, const std::string& doing, std::string_view sql) const {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    std::string full = url_ + ": " + doing + " '" + sql_excerpt(sql) + "': " + msg;
    // SQLSTATE class 23: integrity constraint violation (unique, foreign key, not null, check).
    if (state && state[0] == '2' && state[1] == '3') return invalid_argument(full);
    return io_error(full);
  }

  PGconn* conn_;
  std::string url_;
};

}  // namespace

std::string number_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // quoted literal or identifier; doubled quotes stay inside
      size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) { end += 2; continue; }
          break;
        }
        ++end;
      }
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::unique_ptr<Database>> open_postgres(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (!conn) return resource_exhausted("libpq could not allocate a connection for " + redact(url));
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    return io_error("cannot connect to PostgreSQL at " + redact(url) + ": " + msg);
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  auto db = std::make_unique<PostgresDatabase>(conn, url);
  // Timestamps are made in C++; the session zone only matters for server-side defaults.
  FOGLINE_TRY(db->run_script("SET TIME ZONE 'UTC'; SET lock_timeout = '30s';"));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace fogline::store
