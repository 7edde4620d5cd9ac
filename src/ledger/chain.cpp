#include "ledger/chain.h"

#include <thread>

#include "ledger/tx_type.h"

namespace fogline::ledger {

void parallel_for(size_t n, int threads, size_t min_per_thread, const std::function<void(size_t, size_t)>& fn) {
  size_t t = static_cast<size_t>(std::max(1, threads));
  // Threads pay off only for batches; a handful of items is faster on the calling thread.
  t = std::min(t, std::max<size_t>(1, n / std::max<size_t>(1, min_per_thread)));
  if (t <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> pool;
  size_t chunk = (n + t - 1) / t;
  for (size_t i = 1; i < t; ++i) {
    size_t b = i * chunk, e = std::min(n, b + chunk);
    if (b < e) pool.emplace_back(fn, b, e);
  }
  fn(0, std::min(n, chunk));
  for (auto& th : pool) th.join();
}

std::vector<char> verify_signatures(const std::vector<Transaction>& txs, int threads) {
  std::vector<char> ok(txs.size(), 0);
  parallel_for(txs.size(), threads, 32, [&](size_t begin, size_t end) {
    std::string scratch;
    for (size_t i = begin; i < end; ++i) ok[i] = txs[i].signature_valid(scratch) ? 1 : 0;
  });
  return ok;
}

PreparedBlock prepare_block(const Block& block, int threads, bool check_signatures) {
  const size_t n = block.txs.size();
  PreparedBlock p;
  p.leaves.resize(n);
  p.ids.resize(n);
  if (check_signatures) p.signature_ok.assign(n, 0);
  parallel_for(n, threads, 32, [&](size_t begin, size_t end) {
    std::string scratch;
    for (size_t i = begin; i < end; ++i) {
      p.leaves[i] = leaf_hash(block.tx_bytes[i]);
      p.ids[i] = sha256(block.tx_bytes[i]);
      if (check_signatures) p.signature_ok[i] = block.txs[i].signature_valid(scratch) ? 1 : 0;
    }
  });
  return p;
}

const TxLocation* Chain::find_tx(const Hash& id) const {
  auto it = tx_index_.find(id);
  return it == tx_index_.end() ? nullptr : &it->second;
}

Status Chain::check_header(const Block& block) const {
  const BlockHeader& h = block.header;
  if (h.height != height())
    return invalid_argument("block height " + std::to_string(h.height) + ", expected " + std::to_string(height()));
  if (h.prev_hash != head_)
    return invalid_argument("previous hash " + hash_hex(h.prev_hash) + " is not the head " + hash_hex(head_));
  if (height() == 0) {
    if (block.txs.empty() || block.txs[0].type != 1 ||
        (!h.ordered_externally() && block.txs[0].sender != h.orderer))
      return invalid_argument("block 0 must start with a genesis transaction signed by its orderer");
  } else if (h.ordered_externally() != external_) {
    return invalid_argument("block format version " + std::to_string(h.version) + " on a chain " +
                            (external_ ? "ordered by an ordering service (version 2 blocks)" : "with a solo orderer (version 1 blocks)"));
  } else if (!external_ && h.orderer != state_.orderer) {
    return invalid_argument("block signed by " + short_key(h.orderer) + ", not by the chain's orderer " +
                            short_key(state_.orderer));
  }
  if (h.ordered_externally()) {
    FOGLINE_TRY(check_ordered_header(block));
  } else if (!block.signature_valid()) {
    return invalid_argument("orderer signature of the block is invalid");
  }
  if (h.tx_count != block.txs.size() || block.tx_bytes.size() != block.txs.size())
    return invalid_argument("tx_count " + std::to_string(h.tx_count) + " but " + std::to_string(block.txs.size()) +
                            " transactions");
  if (h.log_size != log_.size() + h.tx_count)
    return invalid_argument("log size " + std::to_string(h.log_size) + ", expected " +
                            std::to_string(log_.size() + h.tx_count));
  return Status::ok();
}

Status Chain::apply_block(const Block& block, const ApplyOptions& options) {
  FOGLINE_TRY(check_header(block));
  const BlockHeader& h = block.header;
  const size_t n = block.txs.size();
  PreparedBlock local;
  if (!options.prepared) local = prepare_block(block, options.threads, !options.signatures_checked);
  const PreparedBlock& prep = options.prepared ? *options.prepared : local;
  if (prep.leaves.size() != n) return internal_error("prepared block does not match the block");
  const std::vector<Hash>& leaves = prep.leaves;
  const std::vector<Hash>& ids = prep.ids;
  if (merkle_root(leaves) != h.tx_root)
    return invalid_argument("transaction root " + hash_hex(h.tx_root) + " does not match the transactions (" +
                            hash_hex(merkle_root(leaves)) + "): a transaction was altered");
  if (!options.signatures_checked) {
    if (prep.signature_ok.size() != n) return internal_error("prepared block has no signature checks");
    for (size_t i = 0; i < n; ++i)
      if (!prep.signature_ok[i])
        return invalid_argument("transaction #" + std::to_string(i) + " (" + hash_hex(ids[i]).substr(0, 16) +
                                ", " + tx_type_name(block.txs[i].type) + " from " + short_key(block.txs[i].sender) +
                                "): signature invalid");
  }
  for (size_t i = 0; i < n; ++i)
    if (tx_index_.count(ids[i]))
      return invalid_argument("transaction #" + std::to_string(i) + " (" + hash_hex(ids[i]).substr(0, 16) +
                              ") is already in block " + std::to_string(tx_index_.at(ids[i]).height));
  uint64_t log_before = log_.size();
  for (const Hash& l : leaves) log_.append(l);
  if (log_.root() != h.log_root) {
    log_.truncate(log_before);
    return invalid_argument("log root " + hash_hex(h.log_root) + " does not match the chain's transactions");
  }
  state_.begin();
  // An ordered block interleaves its valid transactions with the rejected ones at their slot
  // positions; each rejected one must really be refused at its position (judge_ordered), so no
  // peer can drop a valid transaction by calling it rejected.
  std::unordered_map<Hash, int, KeyHasher> seen;
  const bool ordered = h.ordered_externally();
  size_t next_rejected = 0;
  for (size_t pos = 0, i = 0; i < n || next_rejected < block.rejected.size(); ++pos) {
    if (next_rejected < block.rejected.size() && block.rejected[next_rejected].position == pos) {
      const RejectedTx& rj = block.rejected[next_rejected++];
      Hash id = sha256(rj.bytes);
      auto tx = Transaction::decode(rj.bytes);
      Status verdict = judge_ordered(rj.bytes, id, tx.is_ok() ? &*tx : nullptr, -1, seen, h.height);
      if (verdict.is_ok()) {
        state_.rollback();
        log_.truncate(log_before);
        return invalid_argument("rejected transaction at slot position " + std::to_string(pos) + " (" +
                                hash_hex(id).substr(0, 16) + ") is valid: a peer may not drop it");
      }
      continue;
    }
    Status st = ordered && seen.count(ids[i]) ? invalid_argument("already earlier in this block (replay)") : Status::ok();
    if (st.is_ok()) st = apply_transaction(state_, block.txs[i], ids[i], h.height);
    if (ordered) seen[ids[i]] = 1;
    if (!st.is_ok()) {
      state_.rollback();
      log_.truncate(log_before);
      return st.with_context("transaction #" + std::to_string(i) + " (" + hash_hex(ids[i]).substr(0, 16) + ", " +
                             tx_type_name(block.txs[i].type) + " from " + short_key(block.txs[i].sender) + ")");
    }
    ++i;
  }
  if (options.before_commit) {
    Status st = options.before_commit();
    if (!st.is_ok()) {
      state_.rollback();
      log_.truncate(log_before);
      return st;
    }
  }
  state_.commit();
  if (h.height == 0) external_ = ordered;
  ++state_.height;
  for (size_t i = 0; i < n; ++i) tx_index_[ids[i]] = TxLocation{h.height, static_cast<uint32_t>(i), log_before + i};
  headers_.push_back(h);
  head_ = h.hash();
  return Status::ok();
}

std::vector<Status> Chain::dry_run(const std::vector<Transaction>& txs, const std::vector<std::string>& tx_bytes,
                                   const std::vector<char>& signature_ok) {
  std::vector<Status> result(txs.size());
  uint64_t tx_count = state_.tx_count;
  state_.begin();
  std::unordered_map<Hash, int, KeyHasher> seen;
  for (size_t i = 0; i < txs.size(); ++i) {
    Hash id = sha256(tx_bytes[i]);
    if (!signature_ok[i]) {
      result[i] = invalid_argument("signature invalid: not " + short_key(txs[i].sender) + "'s signature of this transaction");
    } else if (tx_index_.count(id) || seen.count(id)) {
      result[i] = invalid_argument("transaction " + hash_hex(id).substr(0, 16) + " is already on the ledger (replay)");
    } else {
      result[i] = apply_transaction(state_, txs[i], id, height());
      seen[id] = 1;
    }
  }
  state_.rollback();
  state_.tx_count = tx_count;
  return result;
}

void Chain::fill_header(Block& b, uint64_t timestamp_ms) {
  BlockHeader& h = b.header;
  h.height = height();
  h.prev_hash = head_;
  std::vector<Hash> leaves;
  leaves.reserve(b.tx_bytes.size());
  for (const auto& t : b.tx_bytes) leaves.push_back(leaf_hash(t));
  h.tx_root = merkle_root(leaves);
  h.tx_count = static_cast<uint32_t>(b.txs.size());
  uint64_t before = log_.size();
  for (const Hash& l : leaves) log_.append(l);
  h.log_size = log_.size();
  h.log_root = log_.root();
  log_.truncate(before);
  h.timestamp_ms = timestamp_ms;
}

Block Chain::make_block(std::vector<Transaction> txs, std::vector<std::string> tx_bytes, const crypto::Identity& orderer,
                        uint64_t timestamp_ms) {
  Block b;
  b.txs = std::move(txs);
  b.tx_bytes = std::move(tx_bytes);
  fill_header(b, timestamp_ms);
  b.header.orderer = orderer.sign_public();
  b.signature = orderer.sign(block_signing_bytes(b.header.hash()));
  return b;
}

}  // namespace fogline::ledger
