#include "hub/api_tokens.h"

#include "core/sha256.h"
#include "crypto/sodium.h"

namespace fogline::hub {

std::string random_token(const std::string& prefix) {
  crypto::ensure_sodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string out = prefix + to_hex(bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return out;
}

std::string token_hash(const std::string& token) { return sha256_hex(token); }

Result<NewToken> create_api_token(store::Database& db, Role role, const std::string& name) {
  NewToken out;
  out.token = random_token("fgl_");
  FOGLINE_ASSIGN_OR_RETURN(
      store::Row row,
      db.query_row("INSERT INTO hub_api_tokens (token_sha256, role, name, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                   {token_hash(out.token), role_name(role), name, store::utc_now_iso8601()}, "new token"));
  out.id = row.i(0);
  return out;
}

Result<Caller> authenticate_token(store::Database& db, const std::string& token) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT role, name, revoked FROM hub_api_tokens WHERE token_sha256 = ?",
                                               {token_hash(token)}));
  if (rows.empty() || rows[0].i(2) != 0) return not_found("unknown or revoked API token");
  FOGLINE_ASSIGN_OR_RETURN(Role role, parse_role(rows[0].s(0)));
  Caller c;
  c.kind = Caller::Kind::kUser;
  c.role = role;
  c.name = rows[0].s(1);
  return c;
}

}  // namespace fogline::hub
