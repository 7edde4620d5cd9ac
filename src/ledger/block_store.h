// Append-only block storage: blocks.dat holds framed records, blocks.idx one fixed-size entry per
// block. An append writes the record, fsyncs blocks.dat, writes the index entry and fsyncs
// blocks.idx; only then is the block acknowledged. So a crash can leave only unacknowledged
// bytes: a record past the last index entry or a partial index entry. open() cuts those off;
// anything wrong inside the acknowledged part is corruption and is reported, never repaired.
//
//   record (blocks.dat): "FGB1" | u32 payload_len | sha256(payload)[32] | payload (a block)
//   entry  (blocks.idx): u64 offset | u64 record_len | u64 height | block_hash[32]   (56 bytes)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/merkle.h"

namespace fogline::ledger {

struct IndexEntry {
  uint64_t offset = 0, record_len = 0, height = 0;
  Hash block_hash{};
};

constexpr size_t kIndexEntryBytes = 56;
constexpr size_t kRecordHeaderBytes = 40;

class BlockStore {
 public:
  struct Repair {
    uint64_t data_bytes_cut = 0;   // unacknowledged bytes removed from blocks.dat
    uint64_t index_bytes_cut = 0;  // a partial index entry removed from blocks.idx
  };

  static Result<BlockStore> open(const std::string& dir);
  BlockStore(BlockStore&& other) noexcept;
  BlockStore& operator=(BlockStore&& other) noexcept;
  BlockStore(const BlockStore&) = delete;
  ~BlockStore();

  uint64_t count() const { return index_.size(); }
  const IndexEntry& entry(uint64_t height) const { return index_[height]; }
  // The block's encoding, its framing and checksum verified.
  Result<std::string> read(uint64_t height) const;
  // Durable when it returns ok.
  Status append(uint64_t height, const Hash& block_hash, std::string_view block_bytes);
  const Repair& repair() const { return repair_; }
  const std::string& dir() const { return dir_; }

  static std::string data_path(const std::string& dir) { return dir + "/blocks.dat"; }
  static std::string index_path(const std::string& dir) { return dir + "/blocks.idx"; }
  static std::string encode_entry(const IndexEntry& e);
  static IndexEntry decode_entry(std::string_view bytes);
  // Checks one framed record in `data` at `offset`; returns the payload.
  static Result<std::string_view> parse_record(std::string_view data, uint64_t offset, uint64_t record_len);

 private:
  BlockStore() = default;
  std::string dir_;
  int data_fd_ = -1, index_fd_ = -1;
  uint64_t data_end_ = 0;
  std::vector<IndexEntry> index_;
  Repair repair_;
};

}  // namespace fogline::ledger
