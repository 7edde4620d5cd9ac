// Data records end to end: a node seals a captured item to its owner (crypto/envelope.h), puts
// the encrypted blob in the content store and signs the record the ledger keeps; the owner
// re-wraps data keys for a grantee; anyone checks a blob against its record.
#pragma once

#include <string>
#include <string_view>

#include "core/content_store.h"
#include "crypto/identity.h"
#include "ledger/state.h"
#include "ledger/tx/data_record.h"
#include "ledger/tx/grant.h"

namespace fogline::ledger {

struct CapturedRecord {
  DataRecordTx tx;       // to sign with the node's key and submit
  std::string blob_sha256_hex;
};

// Encrypts `plaintext` to the owner's X25519 key, stores the blob, signs the record. The data
// key is wiped before this returns: the node cannot read the record afterwards.
Result<CapturedRecord> capture_record(const crypto::Identity& node, const PublicKey& owner_account,
                                      const PublicKey& owner_box_public, std::string_view plaintext,
                                      std::string metadata, const Hash& dataset, ContentStore& store);

// Checks a blob against a record on the ledger: size, SHA-256 and the capturing node's signature.
Status verify_blob(const DataRecord& record, std::string_view blob);

// The owner's side of a grant: re-wraps the data key of each record to the grantee.
Result<GrantTx> make_grant(const State& state, const crypto::Identity& owner, const Hash& subject,
                           const PublicKey& grantee, const Hash& escrow = Hash{});

// Opens a record's blob with `reader`'s keys: the owner's sealed key, or the key of a grant the
// reader holds on the ledger.
Result<std::string> open_record(const State& state, const Hash& record_id, std::string_view blob,
                                const crypto::Identity& reader);

}  // namespace fogline::ledger
