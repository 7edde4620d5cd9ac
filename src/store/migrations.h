// Numbered schema migrations, applied when a database is opened. Each runs inside its own
// transaction together with the row that records it, so a killed process leaves the schema
// at version N or N+1, never between. PostgreSQL serialises concurrent openers with an
// advisory lock; SQLite with BEGIN IMMEDIATE.
#pragma once

#include <string>
#include <vector>

#include "store/database.h"

namespace fogline::store {

struct Migration {
  int version;          // 1, 2, 3 ... without gaps
  std::string name;     // "models and versions"
  std::string sql;      // statements in the shared dialect; {{ID}} is the auto-increment key
  std::string sqlite_extra;    // backend-specific statements (triggers), run after `sql`
  std::string postgres_extra;
};

// Applies the migrations of `component` ("store", "registry") that are not applied yet.
// Refuses a database whose schema is newer than the newest migration given.
Status apply_migrations(Database& db, const std::string& component, const std::vector<Migration>& migrations);

// The version of `component` recorded in the database (0 when none).
Result<int> schema_version(Database& db, const std::string& component);

// {{ID}} -> "INTEGER PRIMARY KEY AUTOINCREMENT" (SQLite) or "BIGSERIAL PRIMARY KEY" (PostgreSQL).
std::string adapt_ddl(Backend backend, const std::string& sql);

}  // namespace fogline::store
