// A block: a header chained to its predecessor by hash, the Merkle root of its transactions, the
// size and root of the whole transaction log after it (so one signed header commits to every
// transaction so far and proofs can be checked against it), signed by the orderer.
// Encoding, version 1 (docs/formats/ledger.md):
//   header: u8 version | u64 height | prev_hash[32] | tx_root[32] | u32 tx_count |
//           u64 log_size | log_root[32] | u64 timestamp_ms | orderer[32]
//   block:  header | signature[64] | tx_count x bytes(transaction)
// The block hash is SHA-256 of the header encoding; the orderer signs "fogline-block/1" || hash.
//
// Version 2 is the block of a chain ordered by an external ordering service (etcd, ledger/peer.h):
// every peer builds it from one ordered slot, byte for byte the same, so it has no orderer key
// and no signature (both zero) and also carries the slot's rejected transactions:
//   header v2: the v1 fields | u64 slot | u32 rejected_count | rejected_hash[32]
//   block v2:  header | signature[64] (zero) | tx_count x bytes(tx) | rejected_count x (u32 position | bytes(tx))
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/identity.h"
#include "ledger/merkle.h"
#include "ledger/transaction.h"

namespace fogline::ledger {

constexpr uint8_t kBlockFormatVersion = 1;
constexpr uint8_t kOrderedBlockFormatVersion = 2;

// An ordered transaction every peer refused: where it stood in its slot (counting the valid
// ones too) and its bytes as ordered (they may not even decode).
struct RejectedTx {
  uint32_t position = 0;
  std::string bytes;
};

struct BlockHeader {
  uint8_t version = kBlockFormatVersion;
  uint64_t height = 0;
  Hash prev_hash{};
  Hash tx_root{};
  uint32_t tx_count = 0;
  uint64_t log_size = 0;  // transactions in the chain up to and including this block
  Hash log_root{};        // Merkle root over all of them
  uint64_t timestamp_ms = 0;
  PublicKey orderer{};
  // Version 2 only.
  uint64_t slot = 0;  // the ordering service's slot this block was cut from
  uint32_t rejected_count = 0;
  Hash rejected_hash{};  // rejected_hash_of(the block's rejected transactions)

  bool ordered_externally() const { return version == kOrderedBlockFormatVersion; }
  std::string encode() const;
  Hash hash() const { return sha256(encode()); }
};

struct Block {
  BlockHeader header;
  Signature signature{};
  std::vector<Transaction> txs;
  // The transactions' encodings as stored; ids and Merkle leaves are computed from these.
  std::vector<std::string> tx_bytes;
  std::vector<RejectedTx> rejected;  // version 2 only, by position

  std::string encode() const;
  static Result<Block> decode(std::string_view bytes);
  bool signature_valid() const;
};

std::string block_signing_bytes(const Hash& block_hash);
Hash tx_root_of(const std::vector<std::string>& tx_bytes);
// SHA-256("fogline-rejected/1" || rejected_count x (u32 position | bytes tx)).
Hash rejected_hash_of(const std::vector<RejectedTx>& rejected);

}  // namespace fogline::ledger
