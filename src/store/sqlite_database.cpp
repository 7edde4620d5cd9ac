#include "store/sqlite_database.h"

#include <sqlite3.h>

namespace fogline::store {
namespace {

constexpr int kBusyTimeoutMs = 30000;

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteDatabase() override { sqlite3_close_v2(db_); }

  Backend backend() const override { return Backend::kSqlite; }
  std::string describe() const override { return "sqlite:" + path_; }

  Result<QueryResult> run(std::string_view sql, const SqlParams& params) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
      return error("preparing", sql);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
    int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size()))
      return internal_error("statement '" + sql_excerpt(sql) + "' takes " + std::to_string(expected) +
                            " parameters, got " + std::to_string(params.size()));
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      int idx = static_cast<int>(i + 1), rc;
      if (v.is_null()) rc = sqlite3_bind_null(stmt, idx);
      else if (v.is_int()) rc = sqlite3_bind_int64(stmt, idx, v.as_int());
      else if (v.is_double()) rc = sqlite3_bind_double(stmt, idx, v.as_double());
      else {
        std::string text = v.as_text();
        rc = sqlite3_bind_text(stmt, idx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return error("binding parameter " + std::to_string(idx) + " of", sql);
    }
    QueryResult result;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return error("running", sql);
      Row row;
      int n = sqlite3_column_count(stmt);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER: row.values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c))); break;
          case SQLITE_FLOAT: row.values.emplace_back(sqlite3_column_double(stmt, c)); break;
          case SQLITE_NULL: row.values.emplace_back(); break;
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.values.emplace_back(std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
          }
        }
      }
      result.rows.push_back(std::move(row));
    }
    result.affected = sqlite3_changes64(db_);
    return result;
  }

  Status run_script(std::string_view sql) override {
    std::string text(sql);
    char* err = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return io_error(describe() + ": script failed: " + msg);
    }
    return Status::ok();
  }

 protected:
  Status begin() override { return run_script("BEGIN IMMEDIATE"); }
  Status commit() override { return run_script("COMMIT"); }
  Status rollback() override { return run_script("ROLLBACK"); }

 private:
  Status error(const std::string& doing, std::string_view sql) const {
    int code = sqlite3_errcode(db_);
    std::string msg = describe() + ": " + doing + " '" + sql_excerpt(sql) + "': " + sqlite3_errmsg(db_);
    if ((code & 0xff) == SQLITE_CONSTRAINT) return invalid_argument(msg);
    return io_error(msg);
  }

  sqlite3* db_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return io_error("cannot open SQLite database '" + path + "': " + msg);
  }
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  auto db = std::make_unique<SqliteDatabase>(raw, path);
  // WAL: a reader never blocks the writer. synchronous=FULL: a commit survives power loss, not
  // only a killed process (the registry's promise is "a version that was reported exists").
  FOGLINE_ASSIGN_OR_RETURN(auto mode, db->query("PRAGMA journal_mode=WAL"));
  if (mode.empty() || mode[0].s(0) != "wal")
    return io_error("'" + path + "': SQLite refused WAL journal mode (got '" +
                    (mode.empty() ? std::string() : mode[0].s(0)) + "')");
  FOGLINE_TRY(db->run_script("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"));
  FOGLINE_ASSIGN_OR_RETURN(auto fk, db->query("PRAGMA foreign_keys"));
  if (fk.empty() || fk[0].i(0) != 1) return io_error("'" + path + "': SQLite foreign keys could not be enabled");
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace fogline::store
