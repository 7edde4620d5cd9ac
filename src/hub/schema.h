// The hub's own tables (component "hub" in schema_migrations): API tokens, enrollment tokens,
// nodes, the nonces of signed node requests, and the bundles built so far.
#pragma once

#include "store/database.h"

namespace fogline::hub {

Status apply_hub_migrations(store::Database& db);

// Unix seconds; the hub's expiry columns are integers so they compare in SQL on both backends.
int64_t unix_now();

}  // namespace fogline::hub
