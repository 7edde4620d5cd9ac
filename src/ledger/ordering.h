// The ordering service of a multi-organisation ledger: an etcd cluster holding one totally
// ordered log of transaction batches, the way Hyperledger Fabric's peers take their order from
// an ordering service. Slot n is the key PREFIX/slot/<n as 20 digits>, written once (a txn that
// compares the key's create_revision with 0), and only after slot n-1 exists, so the log has no
// gaps and no slot ever changes. Every peer reads the same slots in key order and cuts one
// block per slot (Chain::make_ordered_block). Slot 0 holds the genesis.
//
// A slot's value, version 1:  u8 version (= 1) | u64 timestamp_ms | u32 n | n x bytes transaction
// The timestamp is the submitter's clock, informational (it becomes the block's timestamp).
// Compaction of etcd's history does not matter (only current keys are read); deleting slot keys
// is not supported: a peer that has to catch up needs every slot since its head.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/etcd_client.h"

namespace fogline::ledger {

constexpr uint8_t kBatchFormatVersion = 1;

struct OrderedBatch {
  uint64_t timestamp_ms = 0;
  std::vector<std::string> txs;  // transaction encodings as submitted (checked by the peers)
};

std::string encode_batch(const OrderedBatch& batch);
Result<OrderedBatch> decode_batch(std::string_view bytes);

struct OrderedSlot {
  uint64_t slot = 0;
  std::string value;
};

class EtcdOrdering {
 public:
  EtcdOrdering(EtcdClient client, std::string prefix) : client_(std::move(client)), prefix_(std::move(prefix)) {}

  std::string slot_key(uint64_t slot) const;
  // Orders `batch_bytes` in the first free slot after the genesis and returns that slot.
  // Concurrent submitters race for a slot; the loser takes the next one.
  Result<uint64_t> append(const std::string& batch_bytes);
  // Writes the genesis batch to slot 0; refuses when slot 0 already exists.
  Status write_genesis(const std::string& batch_bytes);
  // Up to `limit` slots from `from` on, in order (fewer at the end of the log).
  Result<std::vector<OrderedSlot>> read(uint64_t from, int64_t limit);
  // The number of slots written (the last slot + 1), 0 before the genesis.
  Result<uint64_t> size();

  EtcdClient& client() { return client_; }
  const std::string& prefix() const { return prefix_; }

 private:
  EtcdClient client_;
  std::string prefix_;
};

}  // namespace fogline::ledger
