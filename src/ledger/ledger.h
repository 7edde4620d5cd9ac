// A ledger directory: the block store plus the chain replayed from it, and the solo orderer that
// turns submitted transactions into signed blocks (the default: embedded, nothing to install).
// Opening replays and checks every block from genesis; a crash's unacknowledged tail is cut
// off first (BlockStore), so what was acknowledged is exactly what is there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/identity.h"
#include "ledger/block_store.h"
#include "ledger/chain.h"
#include "ledger/tx/genesis.h"

namespace fogline::ledger {

struct SubmitResult {
  std::vector<Hash> ids;          // per submitted transaction
  std::vector<Status> statuses;   // ok: in the block; else why it was refused
  uint64_t height = 0;            // of the block written (when any was accepted)
  size_t accepted = 0;
};

struct TxProof {
  Transaction tx;
  std::string tx_bytes;
  Hash tx_id{};
  uint64_t height = 0;
  uint64_t log_index = 0, log_size = 0;
  Hash log_root{};
  std::vector<Hash> path;
};

class Ledger {
 public:
  // Replays every block. With check_tx_signatures = false the transactions' signatures are
  // taken on the word of the orderer's block signature and the store's checksums (this node
  // wrote and fsynced them); `verify` always checks them all.
  static Result<std::unique_ptr<Ledger>> open(const std::string& dir, int threads = 2, bool check_tx_signatures = true);
  // Creates a ledger whose block 0 holds `genesis`, signed by `orderer`. Refuses a directory
  // that already holds blocks.
  static Result<std::unique_ptr<Ledger>> create(const std::string& dir, const GenesisTx& genesis,
                                                const crypto::Identity& orderer, int threads = 2);

  // The solo orderer: checks each transaction (signature, nonce, state), writes one durable
  // block with the accepted ones (none: no block) and reports on each.
  Result<SubmitResult> submit(const std::vector<Transaction>& txs, const crypto::Identity& orderer);
  // A block made elsewhere (a peer, a test): checked, applied and stored, or refused unchanged.
  Status append_block(const Block& block);
  // A peer of an externally ordered chain (ledger/peer.h): cuts the block of one ordered slot
  // (valid transactions in order, the others as rejected), applies it and stores it durably.
  Result<Block> append_ordered(uint64_t slot, uint64_t timestamp_ms, const std::vector<std::string>& ordered);

  const Chain& chain() const { return chain_; }
  const State& state() const { return chain_.state(); }
  const BlockStore& store() const { return store_; }
  Result<Block> read_block(uint64_t height) const;
  // Inclusion proof of a transaction in the log at `log_size` (0: the current size).
  Result<TxProof> prove(const Hash& tx_id, uint64_t log_size = 0) const;

  static std::string ledger_dir(const std::string& home) { return home + "/ledger"; }

 private:
  Ledger(BlockStore store, int threads) : store_(std::move(store)), threads_(threads) {}
  Status store_and_apply(const Block& block, bool signatures_checked);
  BlockStore store_;
  Chain chain_;
  int threads_;
};

uint64_t now_ms();

}  // namespace fogline::ledger
