#include "ledger/ledger.h"

#include <chrono>
#include <future>

namespace fogline::ledger {

uint64_t now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& dir, int threads, bool check_tx_signatures) {
  FOGLINE_ASSIGN_OR_RETURN(BlockStore store, BlockStore::open(dir));
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(store), threads));
  // Pipelined replay: while block h is applied (sequential, one thread), block h+1 is read,
  // decoded and its hashes and signatures checked on the other threads.
  struct Next {
    Result<Block> block = internal_error("not read");
    PreparedBlock prepared;
  };
  auto load = [&ledger, threads, check_tx_signatures](uint64_t h) {
    Next next;
    next.block = ledger->read_block(h);
    if (next.block.is_ok()) next.prepared = prepare_block(*next.block, threads, check_tx_signatures);
    return next;
  };
  const uint64_t count = ledger->store_.count();
  std::future<Next> ahead;
  if (count > 0) ahead = std::async(std::launch::async, load, 0);
  for (uint64_t h = 0; h < count; ++h) {
    Next current = ahead.get();
    if (h + 1 < count) ahead = std::async(std::launch::async, load, h + 1);
    if (!current.block.is_ok()) {
      if (ahead.valid()) ahead.wait();
      return current.block.status();
    }
    const Block& block = *current.block;
    Status st = block.header.hash() == ledger->store_.entry(h).block_hash
                    ? Status::ok()
                    : invalid_argument("block " + std::to_string(h) + ": its hash does not match the index");
    if (st.is_ok()) {
      Chain::ApplyOptions options;
      options.threads = threads;
      options.signatures_checked = !check_tx_signatures;
      options.prepared = &current.prepared;
      st = ledger->chain_.apply_block(block, options);
    }
    if (!st.is_ok()) {
      if (ahead.valid()) ahead.wait();
      return st.with_context("replaying '" + dir + "' block " + std::to_string(h));
    }
  }
  return ledger;
}

Result<std::unique_ptr<Ledger>> Ledger::create(const std::string& dir, const GenesisTx& genesis,
                                               const crypto::Identity& orderer, int threads) {
  FOGLINE_ASSIGN_OR_RETURN(auto ledger, open(dir, threads));
  if (ledger->store_.count() != 0) return invalid_argument("'" + dir + "' already holds a ledger");
  Transaction tx = make_transaction(GenesisTx::kCode, orderer, 0, genesis.encode());
  FOGLINE_ASSIGN_OR_RETURN(SubmitResult r, ledger->submit({tx}, orderer));
  if (!r.statuses[0].is_ok()) return r.statuses[0].with_context("genesis");
  return ledger;
}

Result<Block> Ledger::read_block(uint64_t height) const {
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, store_.read(height));
  auto block = Block::decode(bytes);
  if (!block.is_ok()) return block.status().with_context("block " + std::to_string(height));
  return block;
}

Status Ledger::store_and_apply(const Block& block, bool signatures_checked) {
  Chain::ApplyOptions options;
  options.threads = threads_;
  options.signatures_checked = signatures_checked;
  // Durable before it is applied in memory: a block the store refused is not on the chain.
  options.before_commit = [&] { return store_.append(block.header.height, block.header.hash(), block.encode()); };
  return chain_.apply_block(block, options);
}

Status Ledger::append_block(const Block& block) { return store_and_apply(block, false); }

Result<Block> Ledger::append_ordered(uint64_t slot, uint64_t timestamp_ms, const std::vector<std::string>& ordered) {
  Block block = chain_.make_ordered_block(slot, timestamp_ms, ordered, threads_);
  // make_ordered_block checked every valid transaction's signature; apply_block rechecks the
  // rejected ones (they must still be refused).
  FOGLINE_TRY(store_and_apply(block, true));
  return block;
}

Result<SubmitResult> Ledger::submit(const std::vector<Transaction>& txs, const crypto::Identity& orderer) {
  SubmitResult r;
  std::vector<std::string> bytes;
  bytes.reserve(txs.size());
  for (const auto& tx : txs) {
    bytes.push_back(tx.encode());
    r.ids.push_back(sha256(bytes.back()));
  }
  std::vector<char> sig_ok = verify_signatures(txs, threads_);
  r.statuses = chain_.dry_run(txs, bytes, sig_ok);
  std::vector<Transaction> accepted;
  std::vector<std::string> accepted_bytes;
  for (size_t i = 0; i < txs.size(); ++i) {
    if (!r.statuses[i].is_ok()) continue;
    accepted.push_back(txs[i]);
    accepted_bytes.push_back(std::move(bytes[i]));
  }
  r.accepted = accepted.size();
  if (accepted.empty()) return r;
  Block block = chain_.make_block(std::move(accepted), std::move(accepted_bytes), orderer, now_ms());
  r.height = block.header.height;
  FOGLINE_TRY(store_and_apply(block, true));
  return r;
}

Result<TxProof> Ledger::prove(const Hash& tx_id, uint64_t log_size) const {
  const TxLocation* loc = chain_.find_tx(tx_id);
  if (!loc) return not_found("no transaction " + hash_hex(tx_id) + " on the ledger");
  TxProof p;
  p.tx_id = tx_id;
  p.height = loc->height;
  p.log_index = loc->log_index;
  p.log_size = log_size ? log_size : chain_.log().size();
  FOGLINE_ASSIGN_OR_RETURN(p.path, chain_.log().inclusion_proof(p.log_index, p.log_size));
  p.log_root = chain_.log().root_at(p.log_size);
  FOGLINE_ASSIGN_OR_RETURN(Block block, read_block(loc->height));
  p.tx = block.txs[loc->index];
  p.tx_bytes = block.tx_bytes[loc->index];
  return p;
}

}  // namespace fogline::ledger
