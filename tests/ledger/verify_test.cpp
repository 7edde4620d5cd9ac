// `verify` replays a ledger directory from genesis; a byte flipped anywhere in blocks.dat or
// blocks.idx is found, and the block it names is the one the flipped byte belongs to.
#include <gmock/gmock.h>

#include "core/file_util.h"
#include "ledger/verify.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

using ::testing::HasSubstr;

class VerifyTest : public LedgerFixture {
 protected:
  void SetUp() override {
    make_ledger(Economy::kCredits);
    Actor a{Identity::generate(IdentityKind::kUser, "a")}, b{Identity::generate(IdentityKind::kUser, "b")};
    register_actor(a, IdentityKind::kUser, "a");
    register_actor(b, IdentityKind::kUser, "b");
    ASSERT_TRUE(submit(mint_tx(a, 1000)).is_ok());
    for (int i = 0; i < 4; ++i) {
      auto r = ledger_->submit({transfer_tx(a, b, 1), transfer_tx(a, b, 2), transfer_tx(a, b, 3)}, orderer_.id);
      ASSERT_TRUE(r.is_ok());
      ASSERT_EQ(r->accepted, 3u);
    }
    ledger_.reset();  // closed, like a ledger at rest
  }
  // Which block's record contains byte `offset` of blocks.dat.
  int64_t block_at(const std::string& index, uint64_t offset) {
    for (uint64_t h = 0; h < index.size() / kIndexEntryBytes; ++h) {
      IndexEntry e = BlockStore::decode_entry(std::string_view(index).substr(h * kIndexEntryBytes, kIndexEntryBytes));
      if (offset >= e.offset && offset < e.offset + e.record_len) return static_cast<int64_t>(h);
    }
    return -1;
  }
};

TEST_F(VerifyTest, IntactLedgerVerifies) {
  VerifyReport r = verify_ledger(dir_);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.blocks, 9u);  // genesis, mint's registration, a, b, mint, 4 transfer blocks
  EXPECT_EQ(r.transactions, 1u + 1 + 2 + 1 + 12);
  EXPECT_EQ(r.bad_block, -1);
  EXPECT_EQ(r.unacknowledged_bytes, 0u);
}

TEST_F(VerifyTest, FindsAByteFlippedAnywhereInBlocksDat) {
  std::string data_path = BlockStore::data_path(dir_);
  std::string original = *read_file(data_path);
  std::string index = *read_file(BlockStore::index_path(dir_));
  // Every byte of the first two blocks, then every 7th byte: headers, signatures, bodies, framing.
  std::vector<uint64_t> offsets;
  for (uint64_t i = 0; i < original.size(); i += (i < 600 ? 1 : 7)) offsets.push_back(i);
  offsets.push_back(original.size() - 1);
  for (uint64_t off : offsets) {
    std::string bad = original;
    bad[off] ^= static_cast<char>(1 << (off % 8));
    overwrite(data_path, bad);
    VerifyReport r = verify_ledger(dir_);
    ASSERT_FALSE(r.ok) << "flip at offset " << off << " went unnoticed";
    ASSERT_EQ(r.bad_block, block_at(index, off)) << "offset " << off << ": " << r.error;
    EXPECT_THAT(r.error, HasSubstr("block " + std::to_string(r.bad_block) + ":"));
    // Opening it refuses too: a flipped acknowledged block is corruption, not a torn tail.
    ASSERT_FALSE(Ledger::open(dir_).is_ok()) << "offset " << off;
    ASSERT_EQ(read_file(data_path)->size(), original.size()) << "open must not cut acknowledged data";
  }
  overwrite(data_path, original);
  EXPECT_TRUE(verify_ledger(dir_).ok);
}

TEST_F(VerifyTest, FindsAByteFlippedAnywhereInBlocksIdx) {
  std::string index_path = BlockStore::index_path(dir_);
  std::string original = *read_file(index_path);
  for (uint64_t off = 0; off < original.size(); ++off) {
    std::string bad = original;
    bad[off] ^= 0x10;
    overwrite(index_path, bad);
    VerifyReport r = verify_ledger(dir_);
    ASSERT_FALSE(r.ok) << "flip at index offset " << off << " went unnoticed";
    ASSERT_EQ(r.bad_block, static_cast<int64_t>(off / kIndexEntryBytes)) << off << ": " << r.error;
  }
  overwrite(index_path, original);
  EXPECT_TRUE(verify_ledger(dir_).ok);
}

TEST_F(VerifyTest, NamesTheFirstBadBlockAndWhy) {
  // Replace block 5's payload with a structurally valid block whose transaction root is wrong.
  auto l = Ledger::open(dir_);
  ASSERT_TRUE(l.is_ok());
  Block b = *(*l)->read_block(5);
  l->reset();
  b.header.tx_root[0] ^= 1;
  std::string data = *read_file(BlockStore::data_path(dir_));
  std::string index = *read_file(BlockStore::index_path(dir_));
  IndexEntry e = BlockStore::decode_entry(std::string_view(index).substr(5 * kIndexEntryBytes, kIndexEntryBytes));
  std::string payload = b.encode();
  ASSERT_EQ(payload.size() + kRecordHeaderBytes, e.record_len);
  Hash sum = sha256(payload);
  data.replace(e.offset + 8, 32, std::string(hash_view(sum)));
  data.replace(e.offset + kRecordHeaderBytes, payload.size(), payload);
  e.block_hash = b.header.hash();
  index.replace(5 * kIndexEntryBytes, kIndexEntryBytes, BlockStore::encode_entry(e));
  overwrite(BlockStore::data_path(dir_), data);
  overwrite(BlockStore::index_path(dir_), index);
  VerifyReport r = verify_ledger(dir_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_block, 5);
  EXPECT_EQ(r.blocks, 5u);
  EXPECT_THAT(r.error, HasSubstr("orderer signature"));
}

TEST_F(VerifyTest, EmptyOrMissingDirectory) {
  VerifyReport r = verify_ledger(root_ + "/nowhere");
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.error, HasSubstr("no ledger"));
}

}  // namespace
}  // namespace fogline::ledger::testing
