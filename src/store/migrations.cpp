#include "store/migrations.h"

namespace fogline::store {
namespace {

constexpr int64_t kMigrationLockKey = 0x466f676c696e65;  // "Fogline"

const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,"
    " PRIMARY KEY (component, version))";

Status lock(Database& db) {
  if (db.backend() != Backend::kPostgres) return Status::ok();  // BEGIN IMMEDIATE already locks
  return db.query("SELECT pg_advisory_xact_lock(?)", {kMigrationLockKey}).status();
}

}  // namespace

std::string adapt_ddl(Backend backend, const std::string& sql) {
  const std::string token = "{{ID}}";
  const std::string key = backend == Backend::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  std::string out = sql;
  for (size_t at = out.find(token); at != std::string::npos; at = out.find(token, at + key.size()))
    out.replace(at, token.size(), key);
  return out;
}

Result<int> schema_version(Database& db, const std::string& component) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?", {component}));
  return static_cast<int>(rows.empty() ? 0 : rows[0].i(0));
}

Status apply_migrations(Database& db, const std::string& component, const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i)
    if (migrations[i].version != static_cast<int>(i + 1))
      return internal_error("migrations of '" + component + "' must be numbered 1.." +
                            std::to_string(migrations.size()) + " without gaps; #" + std::to_string(i + 1) +
                            " says " + std::to_string(migrations[i].version));
  {
    FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
    FOGLINE_TRY(lock(db));
    FOGLINE_TRY(db.run_script(kCreateTable));
    FOGLINE_TRY(tx.commit());
  }
  for (const Migration& m : migrations) {
    FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
    FOGLINE_TRY(lock(db));
    FOGLINE_ASSIGN_OR_RETURN(int current, schema_version(db, component));
    if (current > static_cast<int>(migrations.size()))
      return unsupported(db.describe() + ": schema of '" + component + "' is at version " + std::to_string(current) +
                         ", newer than this fogline knows (" + std::to_string(migrations.size()) + ")");
    if (current >= m.version) continue;  // the transaction rolls back: nothing was changed
    Status s = db.run_script(adapt_ddl(db.backend(), m.sql));
    const std::string& extra = db.backend() == Backend::kSqlite ? m.sqlite_extra : m.postgres_extra;
    if (s && !extra.empty()) s = db.run_script(extra);
    if (!s) return s.with_context("migration " + component + " #" + std::to_string(m.version) + " (" + m.name + ")");
    FOGLINE_TRY(db.execute("INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)",
                           {component, m.version, m.name, utc_now_iso8601()})
                    .status());
    FOGLINE_TRY(tx.commit());
  }
  return Status::ok();
}

}  // namespace fogline::store
