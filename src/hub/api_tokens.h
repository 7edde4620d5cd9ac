// API tokens for users: 32 random bytes shown once as "fgl_<hex>", stored only as their
// SHA-256, so a copy of the database does not hand out working tokens.
#pragma once

#include <string>
#include <vector>

#include "hub/roles.h"
#include "store/database.h"

namespace fogline::hub {

struct NewToken {
  std::string token;  // the secret, printed once
  int64_t id = 0;
};

Result<NewToken> create_api_token(store::Database& db, Role role, const std::string& name);
// The caller a bearer token belongs to; kNotFound for unknown or revoked tokens.
Result<Caller> authenticate_token(store::Database& db, const std::string& token);

// "fgl_" / "fge_" + 64 hex of 32 random bytes.
std::string random_token(const std::string& prefix);
std::string token_hash(const std::string& token);

}  // namespace fogline::hub
