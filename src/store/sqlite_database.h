// SQLite backend: the embedded default. WAL (readers never block the writer), foreign keys
// on, a busy timeout so concurrent fogline processes queue instead of failing.
#pragma once

#include <memory>
#include <string>

#include "store/database.h"

namespace fogline::store {

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path);

}  // namespace fogline::store
