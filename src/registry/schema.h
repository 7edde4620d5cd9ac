// The registry's numbered migrations (component "registry"). Never edit a shipped migration:
// add the next number.
#pragma once

#include "store/database.h"

namespace fogline::registry {

Status apply_registry_migrations(store::Database& db);

}  // namespace fogline::registry
