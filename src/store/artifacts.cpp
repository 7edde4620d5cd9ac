#include "store/artifacts.h"

#include "store/migrations.h"

namespace fogline::store {

Status apply_migrations_for_artifacts(Database& db) {
  static const std::vector<Migration> kMigrations = {
      {1, "artifacts",
       "CREATE TABLE artifacts ("
       " digest TEXT PRIMARY KEY,"
       " size_bytes BIGINT NOT NULL,"
       " refcount BIGINT NOT NULL DEFAULT 0 CHECK (refcount >= 0),"
       " created_at TEXT NOT NULL)",
       "", ""},
  };
  return apply_migrations(db, "store", kMigrations);
}

Status add_artifact_ref(Database& db, const std::string& digest, int64_t size_bytes) {
  return db
      .execute("INSERT INTO artifacts (digest, size_bytes, refcount, created_at) VALUES (?, ?, 1, ?)"
               " ON CONFLICT (digest) DO UPDATE SET refcount = artifacts.refcount + 1",
               {digest, size_bytes, utc_now_iso8601()})
      .status();
}

Status release_artifact_ref(Database& db, const std::string& digest) {
  FOGLINE_ASSIGN_OR_RETURN(int64_t n, db.execute("UPDATE artifacts SET refcount = refcount - 1 WHERE digest = ? AND refcount > 0", {digest}));
  if (n != 1) return not_found("artifact " + digest + " has no reference to release");
  return Status::ok();
}

Result<std::vector<ArtifactRecord>> list_artifacts(Database& db) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT digest, size_bytes, refcount, created_at FROM artifacts ORDER BY digest"));
  std::vector<ArtifactRecord> out;
  for (const Row& r : rows) out.push_back({r.s(0), r.i(1), r.i(2), r.s(3)});
  return out;
}

}  // namespace fogline::store
