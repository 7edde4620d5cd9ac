// data_record (type 9): a node records a captured item it encrypted to its owner: the SHA-256 and
// size of the encrypted blob (kept in the content store), the data key sealed to the owner, the
// capture metadata, and the node's signature over all of it (record_signing_bytes), which
// `fogline data verify` checks without the rest of the ledger. The record id is the tx id.
// The sender must be the owner or a node the owner authorised (node_authorize).
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct DataRecordTx : TxBody {
  static constexpr uint16_t kCode = 9;
  PublicKey owner{};
  Hash blob_sha256{};
  uint64_t size = 0;
  std::string sealed_key;
  std::string metadata;
  Hash dataset{};  // all zero: none
  Signature record_signature{};
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

// What the capturing node signs for a record (domain-separated, canonical).
std::string record_signing_bytes(const PublicKey& owner, const Hash& blob_sha256, uint64_t size,
                                 std::string_view sealed_key, std::string_view metadata, const Hash& dataset);

}  // namespace fogline::ledger
