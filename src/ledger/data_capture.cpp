#include "ledger/data_capture.h"

#include <cstring>

#include "crypto/envelope.h"

namespace fogline::ledger {

Result<CapturedRecord> capture_record(const crypto::Identity& node, const PublicKey& owner_account,
                                      const PublicKey& owner_box_public, std::string_view plaintext,
                                      std::string metadata, const Hash& dataset, ContentStore& store) {
  crypto::Envelope env = crypto::seal_envelope(plaintext, owner_box_public);
  FOGLINE_ASSIGN_OR_RETURN(std::string digest, store.put(env.blob));
  CapturedRecord out;
  out.blob_sha256_hex = digest;
  DataRecordTx& tx = out.tx;
  tx.owner = owner_account;
  tx.blob_sha256 = sha256(env.blob);
  tx.size = env.blob.size();
  tx.sealed_key = std::move(env.sealed_key);
  tx.metadata = std::move(metadata);
  tx.dataset = dataset;
  tx.record_signature = node.sign(record_signing_bytes(tx.owner, tx.blob_sha256, tx.size, tx.sealed_key, tx.metadata, tx.dataset));
  return out;
}

Status verify_blob(const DataRecord& record, std::string_view blob) {
  if (blob.size() != record.size)
    return invalid_argument("blob is " + std::to_string(blob.size()) + " bytes, the record says " + std::to_string(record.size));
  Hash got = sha256(blob);
  if (got != record.blob_sha256)
    return invalid_argument("blob SHA-256 " + hash_hex(got) + " differs from the record's " + hash_hex(record.blob_sha256));
  if (!crypto::verify_signature(record.node,
                                record_signing_bytes(record.owner, record.blob_sha256, record.size, record.sealed_key,
                                                     record.metadata, record.dataset),
                                record.record_signature))
    return invalid_argument("the record's signature is not node " + short_key(record.node) + "'s");
  return Status::ok();
}

Result<GrantTx> make_grant(const State& state, const crypto::Identity& owner, const Hash& subject,
                           const PublicKey& grantee, const Hash& escrow) {
  const Account* g = state.account(grantee);
  if (!g) return not_found("grantee " + short_key(grantee) + " is not a registered account");
  GrantTx grant;
  grant.subject = subject;
  grant.grantee = grantee;
  grant.escrow = escrow;
  auto add = [&](const Hash& id, const DataRecord& r) -> Status {
    FOGLINE_ASSIGN_OR_RETURN(std::string key, crypto::rewrap_data_key(r.sealed_key, owner, g->box_public));
    grant.keys.emplace_back(id, std::move(key));
    return Status::ok();
  };
  if (const DataRecord* r = state.record(subject)) {
    FOGLINE_TRY(add(subject, *r));
  } else if (state.dataset(subject)) {
    for (const auto& [id, r] : state.records())
      if (r.dataset == subject) FOGLINE_TRY(add(id, r));
  } else {
    return not_found("no dataset or record " + hash_hex(subject));
  }
  return grant;
}

Result<std::string> open_record(const State& state, const Hash& record_id, std::string_view blob,
                                const crypto::Identity& reader) {
  const DataRecord* r = state.record(record_id);
  if (!r) return not_found("no record " + hash_hex(record_id));
  FOGLINE_TRY(verify_blob(*r, blob));
  if (reader.sign_public() == r->owner) return crypto::open_envelope(blob, r->sealed_key, reader);
  for (const Hash& subject : {record_id, r->dataset}) {
    if (const Grant* g = state.grant(subject, reader.sign_public()))
      for (const auto& [id, key] : g->keys)
        if (id == record_id) return crypto::open_envelope(blob, key, reader);
  }
  // Fall back to the owner's sealed key: it fails unless `reader` holds the owner's X25519 key,
  // and that failure is the honest answer.
  return crypto::open_envelope(blob, r->sealed_key, reader);
}

}  // namespace fogline::ledger
