// The chain in memory: the state that its blocks produce, the Merkle tree over every transaction
// (the log), where each transaction sits, and every block header. apply_block() is the one place
// a block is checked (height, previous hash, orderer, signature, transaction root, log root,
// every transaction's signature, nonce and state transition) and applied: all or nothing.
#pragma once

#include <functional>
#include <unordered_map>
#include <vector>

#include "crypto/identity.h"
#include "ledger/block.h"
#include "ledger/state.h"

namespace fogline::ledger {

struct TxLocation {
  uint64_t height = 0;
  uint32_t index = 0;      // within the block
  uint64_t log_index = 0;  // leaf index in the log tree
};

// Verifies every transaction's signature on up to `threads` threads; out[i] is 1 when valid.
std::vector<char> verify_signatures(const std::vector<Transaction>& txs, int threads);

// Runs fn(begin, end) over [0, n) split across up to `threads` threads (the caller's included).
void parallel_for(size_t n, int threads, size_t min_per_thread, const std::function<void(size_t, size_t)>& fn);

// The part of checking a block that needs no state: its transactions' ids, Merkle leaves and
// signatures. Pure, so a replay prepares the next block on other threads while the current one
// is applied.
struct PreparedBlock {
  std::vector<Hash> leaves, ids;
  std::vector<char> signature_ok;  // empty when signatures are taken as checked
};
PreparedBlock prepare_block(const Block& block, int threads, bool check_signatures);

class Chain {
 public:
  struct ApplyOptions {
    int threads = 2;
    bool signatures_checked = false;  // the caller (the orderer) already verified them
    // Runs after every check passed and before the block is committed (the store's durable
    // append); a failure here rolls the block back.
    std::function<Status()> before_commit;
    // Computed earlier by prepare_block (same block, same signatures_checked); else computed here.
    const PreparedBlock* prepared = nullptr;
  };

  const State& state() const { return state_; }
  uint64_t height() const { return state_.height; }
  const Hash& head_hash() const { return head_; }
  const MerkleTree& log() const { return log_; }
  const std::vector<BlockHeader>& headers() const { return headers_; }
  const TxLocation* find_tx(const Hash& id) const;
  // True once block 0 was a version 2 block: the order comes from an external ordering service
  // (ledger/peer.h) and every block is version 2, unsigned, built identically by every peer.
  bool ordered_externally() const { return external_; }

  Status apply_block(const Block& block, const ApplyOptions& options);
  Status apply_block(const Block& block) { return apply_block(block, ApplyOptions{}); }

  // The orderer's dry run: which of `txs` (in order) would be accepted on top of the current
  // state. Leaves the state unchanged.
  std::vector<Status> dry_run(const std::vector<Transaction>& txs, const std::vector<std::string>& tx_bytes,
                              const std::vector<char>& signature_ok);
  // Builds and signs the block holding `tx_bytes` on top of the current head.
  Block make_block(std::vector<Transaction> txs, std::vector<std::string> tx_bytes, const crypto::Identity& orderer,
                   uint64_t timestamp_ms);
  // A peer's block for one ordered slot (chain_ordered.cpp): every transaction in `ordered`
  // (encodings, in the service's order) is judged on top of the current state exactly as
  // apply_block judges it; the valid ones form the block, the others are its rejected list.
  // Deterministic: the same chain and slot give the same bytes on every peer.
  // Signatures are checked on up to `threads` threads first; the judgement itself is sequential.
  Block make_ordered_block(uint64_t slot, uint64_t timestamp_ms, const std::vector<std::string>& ordered,
                           int threads = 2);

 private:
  Status check_header(const Block& block) const;
  Status check_ordered_header(const Block& block) const;
  void fill_header(Block& b, uint64_t timestamp_ms);
  // Why the transaction `bytes` is refused at this point of a slot (ok: it is valid and, on a
  // journaled state, applied). `seen` holds the ids earlier in the slot.
  // `signature_ok`: -1 not checked yet, else the result of checking it.
  Status judge_ordered(const std::string& bytes, const Hash& id, const Transaction* decoded, int signature_ok,
                       std::unordered_map<Hash, int, KeyHasher>& seen, uint64_t height);
  State state_;
  MerkleTree log_;
  Hash head_{};
  bool external_ = false;
  std::vector<BlockHeader> headers_;
  std::unordered_map<Hash, TxLocation, KeyHasher> tx_index_;
};

}  // namespace fogline::ledger
