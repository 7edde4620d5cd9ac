// A signed transaction: who (the sender's Ed25519 key is its account id), which of the sender's
// transactions this is (nonce), what (a typed body), and the signature over all of it.
// Encoding, version 2 (docs/formats/ledger.md):
//   u8 version | u16 type | sender[32] | u64 nonce | bytes body | signature[64]
// The signature covers "fogline-tx/1" || every byte before the signature. The transaction id is
// SHA-256 of the whole encoding; its Merkle leaf is leaf_hash(whole encoding).
// Version 2 names the body layouts of today (usage_settle carries the node's signed last
// report); version 1 transactions, which every chain made so far holds, are still read, kept
// with their version byte (their id and signature cover it) and read with the same layouts
// (docs/formats/ledger.md "Versions" says why that is every version 1 chain a release wrote).
#pragma once

#include <cstdint>
#include <string>

#include "crypto/identity.h"
#include "ledger/merkle.h"

namespace fogline::ledger {

using crypto::PublicKey;
using crypto::Signature;

// What new transactions are written as, and the oldest version still read.
constexpr uint8_t kTxFormatVersion = 2;
constexpr uint8_t kTxFormatVersionOldest = 1;

struct Transaction {
  uint16_t type = 0;
  PublicKey sender{};
  uint64_t nonce = 0;
  std::string body;
  Signature signature{};
  uint8_t version = kTxFormatVersion;  // as decoded; new transactions get the current one

  // The bytes the signature covers (domain-separated).
  std::string signing_bytes() const;
  // Appends the signed bytes to `out` (reused across calls: no allocation per transaction).
  void append_signing_bytes(std::string& out) const;
  std::string encode() const;
  static Result<Transaction> decode(std::string_view bytes);
  Hash id() const { return sha256(encode()); }
  bool signature_valid() const;
  bool signature_valid(std::string& scratch) const;
};

// Builds and signs a transaction of `type` with `body` for `signer`.
Transaction make_transaction(uint16_t type, const crypto::Identity& signer, uint64_t nonce, std::string body);

std::string key_hex(const PublicKey& k);
// The first 16 hex digits: enough to tell accounts apart in messages.
std::string short_key(const PublicKey& k);

}  // namespace fogline::ledger
