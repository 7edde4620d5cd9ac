#include "hub/node_auth.h"

#include "core/sha256.h"
#include "hub/enrollment.h"

namespace fogline::hub {

Result<Caller> authenticate_node(store::Database& db, const crypto::HttpRequestParts& request,
                                 const SignedRequestHeaders& headers, const NodeAuthPolicy& policy, int64_t now) {
  crypto::KeyLookup lookup = [&db](const std::string& keyid) -> Result<crypto::PublicKey> {
    FOGLINE_ASSIGN_OR_RETURN(NodeRecord node, get_node(db, keyid));
    return crypto::public_key_from_hex(node.sign_public, "node " + keyid + " public key");
  };
  FOGLINE_ASSIGN_OR_RETURN(
      crypto::VerifiedSignature sig,
      crypto::verify_request(request, headers.content_digest, headers.signature_input, headers.signature, lookup));
  int64_t skew = now - sig.created;
  if (skew > policy.window_seconds || -skew > policy.window_seconds)
    return invalid_argument("stale signature: created " + std::to_string(sig.created) + ", hub time " +
                            std::to_string(now) + ", allowed skew " + std::to_string(policy.window_seconds) + " s");
  FOGLINE_TRY(db.execute("DELETE FROM hub_node_nonces WHERE expires_unix < ?", {now}).status());
  auto inserted = db.execute("INSERT INTO hub_node_nonces (node_id, nonce, expires_unix) VALUES (?, ?, ?)",
                             {sig.keyid, sig.nonce, sig.created + policy.window_seconds + 1});
  if (!inserted.is_ok()) {
    if (inserted.status().code() == StatusCode::kInvalidArgument)
      return invalid_argument("replayed nonce '" + sig.nonce + "' from " + sig.keyid);
    return inserted.status();
  }
  FOGLINE_TRY(touch_node(db, sig.keyid));
  Caller c;
  c.kind = Caller::Kind::kNode;
  c.name = sig.keyid;
  c.node_id = sig.keyid;
  return c;
}

}  // namespace fogline::hub
