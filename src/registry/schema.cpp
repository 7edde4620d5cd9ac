#include "registry/schema.h"

#include "store/migrations.h"

namespace fogline::registry {

Status apply_registry_migrations(store::Database& db) {
  static const std::vector<store::Migration> kMigrations = {
      {1, "models, versions, artifacts, tags, history, metrics",
       R"sql(
CREATE TABLE models (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE versions (
  id {{ID}},
  model_id BIGINT NOT NULL REFERENCES models(id),
  version TEXT NOT NULL,
  stage TEXT NOT NULL DEFAULT 'dev' CHECK (stage IN ('dev', 'staging', 'production', 'archived')),
  parent_id BIGINT REFERENCES versions(id),
  source_url TEXT NOT NULL DEFAULT '',
  source_commit TEXT NOT NULL DEFAULT '',
  dataset_versions TEXT NOT NULL DEFAULT '{}',
  hyperparameters TEXT NOT NULL DEFAULT '{}',
  processing_spec TEXT NOT NULL DEFAULT '{}',
  facts TEXT NOT NULL DEFAULT '{}',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (model_id, version)
);
CREATE TABLE version_artifacts (
  version_id BIGINT NOT NULL REFERENCES versions(id),
  role TEXT NOT NULL,
  digest TEXT NOT NULL REFERENCES artifacts(digest),
  size_bytes BIGINT NOT NULL,
  PRIMARY KEY (version_id, role)
);
CREATE INDEX version_artifacts_digest ON version_artifacts (digest);
CREATE TABLE tags (
  model_id BIGINT NOT NULL REFERENCES models(id),
  tag TEXT NOT NULL,
  version_id BIGINT NOT NULL REFERENCES versions(id),
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (model_id, tag)
);
CREATE TABLE history (
  id {{ID}},
  version_id BIGINT NOT NULL REFERENCES versions(id),
  kind TEXT NOT NULL,
  from_stage TEXT NOT NULL DEFAULT '',
  to_stage TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '{}',
  actor TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX history_version ON history (version_id);
CREATE TABLE metrics (
  id {{ID}},
  version_id BIGINT NOT NULL REFERENCES versions(id),
  dataset TEXT NOT NULL,
  dataset_version TEXT NOT NULL DEFAULT '',
  slice_key TEXT NOT NULL DEFAULT '',
  slice_value TEXT NOT NULL DEFAULT '',
  metrics TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (version_id, dataset, dataset_version, slice_key, slice_value)
);
)sql",
       // The history is append-only in the database itself, not only in this API: the hub
       // and later tools write to the same tables.
       R"sql(
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
)sql",
       R"sql(
CREATE FUNCTION fogline_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'history is append-only' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
FOR EACH ROW EXECUTE FUNCTION fogline_history_append_only();
)sql"},
      // Datasets registered with `fogline data add`: one row per content hash, so adding the
      // same files twice finds the same version. `load_options` says how to read the files
      // again (format, slice sources, label files), so `fogline eval MODEL NAME` needs no flags.
      {2, "datasets and their content-hashed versions",
       R"sql(
CREATE TABLE datasets (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE dataset_versions (
  id {{ID}},
  dataset_id BIGINT NOT NULL REFERENCES datasets(id),
  number BIGINT NOT NULL,
  version TEXT NOT NULL,
  format TEXT NOT NULL,
  task TEXT NOT NULL,
  path TEXT NOT NULL,
  items BIGINT NOT NULL,
  files BIGINT NOT NULL,
  boxes BIGINT NOT NULL DEFAULT 0,
  classes TEXT NOT NULL DEFAULT '[]',
  slices TEXT NOT NULL DEFAULT '{}',
  issues BIGINT NOT NULL DEFAULT 0,
  issue_counts TEXT NOT NULL DEFAULT '{}',
  load_options TEXT NOT NULL DEFAULT '{}',
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (dataset_id, version),
  UNIQUE (dataset_id, number)
);
)sql",
       "", ""},
  };
  return store::apply_migrations(db, "registry", kMigrations);
}

}  // namespace fogline::registry
