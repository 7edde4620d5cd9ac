#include "ledger/verify.h"

#include <filesystem>

#include "core/file_util.h"
#include "ledger/block_store.h"
#include "ledger/chain.h"

namespace fogline::ledger {

VerifyReport verify_ledger(const std::string& dir, int threads) {
  VerifyReport report;
  const std::string ipath = BlockStore::index_path(dir), dpath = BlockStore::data_path(dir);
  if (!std::filesystem::exists(ipath) || !std::filesystem::exists(dpath)) {
    report.error = "no ledger in '" + dir + "' (blocks.dat and blocks.idx expected)";
    return report;
  }
  auto index = read_file(ipath);
  auto data = read_file(dpath);
  if (!index.is_ok() || !data.is_ok()) {
    report.error = (index.is_ok() ? data : index).status().message();
    return report;
  }
  uint64_t entries = index->size() / kIndexEntryBytes;
  report.unacknowledged_bytes = index->size() % kIndexEntryBytes;
  Chain chain;
  uint64_t offset = 0;
  auto fail = [&](uint64_t h, const std::string& why) {
    report.bad_block = static_cast<int64_t>(h);
    report.error = "block " + std::to_string(h) + ": " + why;
    return report;
  };
  for (uint64_t h = 0; h < entries; ++h) {
    IndexEntry e = BlockStore::decode_entry(std::string_view(*index).substr(h * kIndexEntryBytes, kIndexEntryBytes));
    if (e.height != h) return fail(h, "index entry says height " + std::to_string(e.height));
    if (e.offset != offset)
      return fail(h, "index entry says offset " + std::to_string(e.offset) + ", the previous block ends at " +
                         std::to_string(offset));
    auto payload = BlockStore::parse_record(*data, e.offset, e.record_len);
    if (!payload.is_ok()) return fail(h, payload.status().message());
    auto block = Block::decode(*payload);
    if (!block.is_ok()) return fail(h, block.status().message());
    if (block->header.hash() != e.block_hash)
      return fail(h, "block hash " + hash_hex(block->header.hash()) + " differs from the index's " + hash_hex(e.block_hash));
    Chain::ApplyOptions options;
    options.threads = threads;
    Status st = chain.apply_block(*block, options);
    if (!st.is_ok()) return fail(h, st.message());
    offset += e.record_len;
    ++report.blocks;
    report.transactions += block->txs.size();
  }
  if (data->size() > offset) report.unacknowledged_bytes += data->size() - offset;
  if (entries == 0) {
    report.error = "the ledger in '" + dir + "' has no blocks";
    return report;
  }
  report.head_hash = hash_hex(chain.head_hash());
  report.ok = true;
  return report;
}

}  // namespace fogline::ledger
