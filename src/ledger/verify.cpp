#include "ledger/verify.h"

#include <filesystem>
#include <future>

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
  // Parse block h+1 and check its hashes and signatures on the worker threads while block h is
  // applied; stop at the first problem in either.
  struct Parsed {
    Status status;
    Block block;
    PreparedBlock prepared;
  };
  auto parse = [&](uint64_t h, uint64_t expect_offset) {
    Parsed p;
    IndexEntry e = BlockStore::decode_entry(std::string_view(*index).substr(h * kIndexEntryBytes, kIndexEntryBytes));
    if (e.height != h) {
      p.status = invalid_argument("index entry says height " + std::to_string(e.height));
      return p;
    }
    if (e.offset != expect_offset) {
      p.status = invalid_argument("index entry says offset " + std::to_string(e.offset) +
                                  ", the previous block ends at " + std::to_string(expect_offset));
      return p;
    }
    auto payload = BlockStore::parse_record(*data, e.offset, e.record_len);
    if (!payload.is_ok()) {
      p.status = payload.status();
      return p;
    }
    auto block = Block::decode(*payload);
    if (!block.is_ok()) {
      p.status = block.status();
      return p;
    }
    if (block->header.hash() != e.block_hash) {
      p.status = invalid_argument("block hash " + hash_hex(block->header.hash()) + " differs from the index's " +
                                  hash_hex(e.block_hash));
      return p;
    }
    p.block = std::move(block).value();
    p.prepared = prepare_block(p.block, threads, true);
    return p;
  };
  // Each entry's offset must follow the previous one's end; the ends are known from the index
  // alone, so the next block can be parsed before the current one is applied.
  auto entry_end = [&](uint64_t h) {
    IndexEntry e = BlockStore::decode_entry(std::string_view(*index).substr(h * kIndexEntryBytes, kIndexEntryBytes));
    return e.offset + e.record_len;
  };
  std::future<Parsed> ahead;
  if (entries > 0) ahead = std::async(std::launch::async, parse, 0, 0);
  for (uint64_t h = 0; h < entries; ++h) {
    Parsed p = ahead.get();
    if (p.status.is_ok() && h + 1 < entries) ahead = std::async(std::launch::async, parse, h + 1, entry_end(h));
    auto finish = [&](const std::string& why) {
      if (ahead.valid()) ahead.wait();
      return fail(h, why);
    };
    if (!p.status.is_ok()) return finish(p.status.message());
    Chain::ApplyOptions options;
    options.threads = threads;
    options.prepared = &p.prepared;
    Status st = chain.apply_block(p.block, options);
    if (!st.is_ok()) return finish(st.message());
    offset = entry_end(h);
    ++report.blocks;
    report.transactions += p.block.txs.size();
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
