// Blocks of a chain ordered by an external ordering service (block format version 2): no
// orderer signs them, because every peer cuts the same block from the same ordered slot and
// judges each transaction the same way. The building (make_ordered_block) and the checking
// (apply_block through judge_ordered) share one judgement, so they cannot drift apart.
#include "ledger/chain.h"
#include "ledger/tx_type.h"

namespace fogline::ledger {

namespace {

template <size_t N>
bool all_zero(const std::array<unsigned char, N>& a) {
  for (unsigned char c : a)
    if (c) return false;
  return true;
}

}  // namespace

Status Chain::check_ordered_header(const Block& block) const {
  const BlockHeader& h = block.header;
  if (!all_zero(h.orderer) || !all_zero(block.signature))
    return invalid_argument("an ordered (version 2) block carries no orderer key and no signature; this one has them");
  if (!headers_.empty() && h.slot <= headers_.back().slot)
    return invalid_argument("slot " + std::to_string(h.slot) + " is not after the previous block's slot " +
                            std::to_string(headers_.back().slot));
  if (h.rejected_count != block.rejected.size())
    return invalid_argument("rejected_count " + std::to_string(h.rejected_count) + " but " +
                            std::to_string(block.rejected.size()) + " rejected transactions");
  if (rejected_hash_of(block.rejected) != h.rejected_hash)
    return invalid_argument("rejected hash does not match the rejected transactions: one was altered");
  const uint64_t total = uint64_t{h.tx_count} + h.rejected_count;
  for (size_t i = 0; i < block.rejected.size(); ++i) {
    uint32_t p = block.rejected[i].position;
    if (p >= total || (i > 0 && p <= block.rejected[i - 1].position))
      return invalid_argument("rejected transaction #" + std::to_string(i) + " has position " + std::to_string(p) +
                              ": positions must increase and stay below " + std::to_string(total));
  }
  return Status::ok();
}

Status Chain::judge_ordered(const std::string& bytes, const Hash& id, const Transaction* decoded, int signature_ok,
                            std::unordered_map<Hash, int, KeyHasher>& seen, uint64_t height) {
  bool replay = tx_index_.count(id) || seen.count(id);
  seen[id] = 1;
  if (replay) return invalid_argument("transaction " + hash_hex(id).substr(0, 16) + " was ordered before (replay)");
  if (!decoded) return Transaction::decode(bytes).status();
  if (signature_ok < 0) signature_ok = decoded->signature_valid() ? 1 : 0;
  if (!signature_ok)
    return invalid_argument("signature invalid: not " + short_key(decoded->sender) + "'s signature of this transaction");
  return apply_transaction(state_, *decoded, id, height);
}

Block Chain::make_ordered_block(uint64_t slot, uint64_t timestamp_ms, const std::vector<std::string>& ordered,
                               int threads) {
  const size_t n = ordered.size();
  std::vector<Result<Transaction>> decoded;
  decoded.reserve(n);
  for (const auto& bytes : ordered) decoded.push_back(Transaction::decode(bytes));
  std::vector<Hash> ids(n);
  std::vector<signed char> signature_ok(n, 0);
  parallel_for(n, threads, 32, [&](size_t begin, size_t end) {
    std::string scratch;
    for (size_t i = begin; i < end; ++i) {
      ids[i] = sha256(ordered[i]);
      if (decoded[i].is_ok()) signature_ok[i] = decoded[i]->signature_valid(scratch) ? 1 : 0;
    }
  });
  Block b;
  uint64_t tx_count = state_.tx_count;
  state_.begin();
  std::unordered_map<Hash, int, KeyHasher> seen;
  for (size_t pos = 0; pos < n; ++pos) {
    const Transaction* tx = decoded[pos].is_ok() ? &*decoded[pos] : nullptr;
    Status verdict = judge_ordered(ordered[pos], ids[pos], tx, signature_ok[pos], seen, height());
    if (verdict.is_ok()) {
      b.txs.push_back(std::move(decoded[pos]).value());
      b.tx_bytes.push_back(ordered[pos]);
    } else {
      b.rejected.push_back(RejectedTx{static_cast<uint32_t>(pos), ordered[pos]});
    }
  }
  state_.rollback();
  state_.tx_count = tx_count;
  b.header.version = kOrderedBlockFormatVersion;
  fill_header(b, timestamp_ms);
  b.header.slot = slot;
  b.header.rejected_count = static_cast<uint32_t>(b.rejected.size());
  b.header.rejected_hash = rejected_hash_of(b.rejected);
  return b;
}

}  // namespace fogline::ledger
