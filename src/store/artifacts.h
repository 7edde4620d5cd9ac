// Reference counts of content-store objects. An object is kept while some row (a model
// version's artifact, later a dataset file or a bundle) counts it; `fogline gc` removes the
// rest. Counts change only inside the caller's transaction, together with the rows that
// hold the references, so a killed process never leaves a count that disagrees with them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"

namespace fogline::store {

struct ArtifactRecord {
  std::string digest;
  int64_t size_bytes = 0;
  int64_t refcount = 0;
  std::string created_at;
};

Status apply_migrations_for_artifacts(Database& db);

// +1 on `digest`, creating its row. Call inside a transaction.
Status add_artifact_ref(Database& db, const std::string& digest, int64_t size_bytes);
// -1 on `digest`; the row stays at 0 until gc.
Status release_artifact_ref(Database& db, const std::string& digest);
Result<std::vector<ArtifactRecord>> list_artifacts(Database& db);

}  // namespace fogline::store
