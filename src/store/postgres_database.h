// PostgreSQL backend (libpq): the same interface and dialect subset as SQLite, for a hub
// whose metadata many processes share. `?` placeholders become $1..$n here.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/database.h"

namespace fogline::store {

Result<std::unique_ptr<Database>> open_postgres(const std::string& url);

// "a = ? AND b = '?'" -> "a = $1 AND b = '?'": placeholders outside quotes and comments.
std::string number_placeholders(std::string_view sql);

}  // namespace fogline::store
