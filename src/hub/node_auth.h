// Signed node requests (docs/formats/node-auth.md): the RFC 9421-style signature is checked
// against the enrolled node's key, then freshness (|now - created| within the window) and
// replay (a nonce is accepted once; it is remembered until its timestamp leaves the window,
// after which the window alone refuses it). Nonces live in the database, so a restarted hub
// still refuses a replay.
#pragma once

#include <string>

#include "crypto/http_signature.h"
#include "hub/roles.h"
#include "store/database.h"

namespace fogline::hub {

struct NodeAuthPolicy {
  int64_t window_seconds = 300;
};

struct SignedRequestHeaders {
  std::string content_digest, signature_input, signature;
};

// kInvalidArgument/kNotFound with the reason (bad signature, unknown node, stale, replayed).
Result<Caller> authenticate_node(store::Database& db, const crypto::HttpRequestParts& request,
                                 const SignedRequestHeaders& headers, const NodeAuthPolicy& policy, int64_t now);

}  // namespace fogline::hub
