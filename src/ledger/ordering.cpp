#include "ledger/ordering.h"

#include <cstdio>

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string encode_batch(const OrderedBatch& batch) {
  Writer w;
  w.u8(kBatchFormatVersion);
  w.u64(batch.timestamp_ms);
  w.u32(static_cast<uint32_t>(batch.txs.size()));
  for (const auto& t : batch.txs) w.bytes(t);
  return w.take();
}

Result<OrderedBatch> decode_batch(std::string_view bytes) {
  Reader r(bytes, "ordered batch");
  OrderedBatch b;
  uint8_t version;
  FOGLINE_TRY(r.u8(version, "version"));
  if (version != kBatchFormatVersion)
    return invalid_argument("ordered batch version " + std::to_string(version) + ", expected " +
                            std::to_string(kBatchFormatVersion));
  uint32_t n;
  FOGLINE_TRY(r.u64(b.timestamp_ms, "timestamp_ms"));
  FOGLINE_TRY(r.u32(n, "count"));
  if (n > r.remaining() / 4)
    return invalid_argument("ordered batch: count " + std::to_string(n) + " does not fit in " +
                            std::to_string(r.remaining()) + " bytes");
  b.txs.resize(n);
  for (uint32_t i = 0; i < n; ++i) FOGLINE_TRY(r.bytes(b.txs[i], "transaction"));
  FOGLINE_TRY(r.finish());
  return b;
}

std::string EtcdOrdering::slot_key(uint64_t slot) const {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(slot));
  return prefix_ + "slot/" + digits;
}

Result<uint64_t> EtcdOrdering::size() {
  std::string from = prefix_ + "slot/";
  FOGLINE_ASSIGN_OR_RETURN(auto last, client_.range(from, prefix_end(from), 1, true));
  if (last.empty()) return uint64_t{0};
  std::string digits = last[0].key.substr(from.size());
  if (digits.size() != 20 || digits.find_first_not_of("0123456789") != std::string::npos)
    return invalid_argument("etcd key '" + last[0].key + "' under the slot prefix is not a slot");
  return std::stoull(digits) + 1;
}

Status EtcdOrdering::write_genesis(const std::string& batch_bytes) {
  FOGLINE_ASSIGN_OR_RETURN(bool written, client_.put_if_absent(slot_key(0), batch_bytes));
  if (written) return Status::ok();
  FOGLINE_ASSIGN_OR_RETURN(auto existing, client_.get(slot_key(0)));
  if (existing && *existing == batch_bytes) return Status::ok();  // our own write, retried
  return invalid_argument("etcd already holds a genesis at '" + slot_key(0) + "'; pick another --prefix");
}

Result<uint64_t> EtcdOrdering::append(const std::string& batch_bytes) {
  FOGLINE_ASSIGN_OR_RETURN(uint64_t next, size());
  if (next == 0)
    return not_found("no genesis at '" + slot_key(0) + "' (create it with 'fogline ledger peer init')");
  // Each lost race means another batch took the slot; a long losing streak means something
  // is wrong rather than busy.
  for (int attempt = 0; attempt < 1000; ++attempt, ++next) {
    FOGLINE_ASSIGN_OR_RETURN(bool written, client_.put_if_absent(slot_key(next), batch_bytes));
    if (written) return next;
    // Taken: by another submitter, or by this very write when a member died after
    // committing it and the client retried on another member.
    FOGLINE_ASSIGN_OR_RETURN(auto existing, client_.get(slot_key(next)));
    if (existing && *existing == batch_bytes) return next;
  }
  return resource_exhausted("could not win an ordering slot in 1000 attempts");
}

Result<std::vector<OrderedSlot>> EtcdOrdering::read(uint64_t from, int64_t limit) {
  std::string base = prefix_ + "slot/";
  FOGLINE_ASSIGN_OR_RETURN(auto kvs, client_.range(slot_key(from), prefix_end(base), limit));
  std::vector<OrderedSlot> out;
  out.reserve(kvs.size());
  uint64_t expect = from;
  for (auto& kv : kvs) {
    std::string digits = kv.key.substr(base.size());
    if (digits.size() != 20 || digits.find_first_not_of("0123456789") != std::string::npos)
      return invalid_argument("etcd key '" + kv.key + "' under the slot prefix is not a slot");
    uint64_t s = std::stoull(digits);
    // Slots are written in order, so a hole means someone wrote around the protocol.
    if (s != expect) return invalid_argument("ordered log has a hole: slot " + std::to_string(expect) + " missing before " + std::to_string(s));
    out.push_back(OrderedSlot{s, std::move(kv.value)});
    ++expect;
  }
  return out;
}

}  // namespace fogline::ledger
