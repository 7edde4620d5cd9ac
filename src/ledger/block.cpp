#include "ledger/block.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string BlockHeader::encode() const {
  Writer w;
  w.u8(version);
  w.u64(height);
  w.fixed(prev_hash);
  w.fixed(tx_root);
  w.u32(tx_count);
  w.u64(log_size);
  w.fixed(log_root);
  w.u64(timestamp_ms);
  w.fixed(orderer);
  if (version == kOrderedBlockFormatVersion) {
    w.u64(slot);
    w.u32(rejected_count);
    w.fixed(rejected_hash);
  }
  return w.take();
}

Hash rejected_hash_of(const std::vector<RejectedTx>& rejected) {
  Writer w;
  w.raw("fogline-rejected/1");
  for (const auto& r : rejected) {
    w.u32(r.position);
    w.bytes(r.bytes);
  }
  return sha256(w.take());
}

std::string block_signing_bytes(const Hash& block_hash) {
  return std::string("fogline-block/1") + std::string(hash_view(block_hash));
}

Hash tx_root_of(const std::vector<std::string>& tx_bytes) {
  std::vector<Hash> leaves;
  leaves.reserve(tx_bytes.size());
  for (const auto& t : tx_bytes) leaves.push_back(leaf_hash(t));
  return merkle_root(leaves);
}

std::string Block::encode() const {
  Writer w;
  w.raw(header.encode());
  w.fixed(signature);
  for (const auto& t : tx_bytes) w.bytes(t);
  if (header.ordered_externally())
    for (const auto& r : rejected) {
      w.u32(r.position);
      w.bytes(r.bytes);
    }
  return w.take();
}

Result<Block> Block::decode(std::string_view bytes) {
  Reader r(bytes, "block");
  Block b;
  uint8_t version;
  FOGLINE_TRY(r.u8(version, "version"));
  if (version != kBlockFormatVersion && version != kOrderedBlockFormatVersion)
    return invalid_argument("block format version " + std::to_string(version) + ", expected " +
                            std::to_string(kBlockFormatVersion) + " or " + std::to_string(kOrderedBlockFormatVersion));
  BlockHeader& h = b.header;
  h.version = version;
  FOGLINE_TRY(r.u64(h.height, "height"));
  FOGLINE_TRY(r.fixed(h.prev_hash, "prev_hash"));
  FOGLINE_TRY(r.fixed(h.tx_root, "tx_root"));
  FOGLINE_TRY(r.u32(h.tx_count, "tx_count"));
  FOGLINE_TRY(r.u64(h.log_size, "log_size"));
  FOGLINE_TRY(r.fixed(h.log_root, "log_root"));
  FOGLINE_TRY(r.u64(h.timestamp_ms, "timestamp_ms"));
  FOGLINE_TRY(r.fixed(h.orderer, "orderer"));
  if (h.ordered_externally()) {
    FOGLINE_TRY(r.u64(h.slot, "slot"));
    FOGLINE_TRY(r.u32(h.rejected_count, "rejected_count"));
    FOGLINE_TRY(r.fixed(h.rejected_hash, "rejected_hash"));
  }
  FOGLINE_TRY(r.fixed(b.signature, "signature"));
  // A transaction takes at least 111 bytes; a larger count than the block can hold is refused
  // before anything is allocated for it.
  if (h.tx_count > r.remaining() / 111)
    return invalid_argument("block: tx_count " + std::to_string(h.tx_count) + " does not fit in " +
                            std::to_string(r.remaining()) + " bytes");
  b.txs.reserve(h.tx_count);
  b.tx_bytes.reserve(h.tx_count);
  for (uint32_t i = 0; i < h.tx_count; ++i) {
    std::string t;
    FOGLINE_TRY(r.bytes(t, "transaction"));
    auto tx = Transaction::decode(t);
    if (!tx.is_ok()) return tx.status().with_context("block transaction #" + std::to_string(i));
    b.txs.push_back(std::move(tx).value());
    b.tx_bytes.push_back(std::move(t));
  }
  // Each rejected entry takes at least 8 bytes (position and length).
  if (h.rejected_count > r.remaining() / 8)
    return invalid_argument("block: rejected_count " + std::to_string(h.rejected_count) + " does not fit in " +
                            std::to_string(r.remaining()) + " bytes");
  b.rejected.reserve(h.rejected_count);
  for (uint32_t i = 0; i < h.rejected_count; ++i) {
    RejectedTx rj;
    FOGLINE_TRY(r.u32(rj.position, "rejected position"));
    FOGLINE_TRY(r.bytes(rj.bytes, "rejected transaction"));
    b.rejected.push_back(std::move(rj));
  }
  FOGLINE_TRY(r.finish());
  return b;
}

bool Block::signature_valid() const {
  return crypto::verify_signature(header.orderer, block_signing_bytes(header.hash()), signature);
}

}  // namespace fogline::ledger
