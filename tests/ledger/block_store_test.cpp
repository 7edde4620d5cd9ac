// Torn tails: what a crash during append can leave (a partial record, a whole unindexed record,
// a partial index entry) is cut off on open; acknowledged blocks are never touched.
#include <gmock/gmock.h>
#include <unistd.h>

#include "core/file_util.h"
#include "ledger/verify.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

class BlockStoreTest : public LedgerFixture {
 protected:
  void SetUp() override {
    make_ledger(Economy::kOff);
    Actor a{Identity::generate(IdentityKind::kUser, "a")};
    register_actor(a, IdentityKind::kUser, "a");
    ASSERT_TRUE(submit(dataset_tx(a, "d1")).is_ok());
    head_ = ledger_->chain().head_hash();
    blocks_ = ledger_->store().count();
    ledger_.reset();
    data_ = *read_file(BlockStore::data_path(dir_));
    index_ = *read_file(BlockStore::index_path(dir_));
  }
  void append_to(const std::string& path, const std::string& bytes) {
    std::string now = *read_file(path);
    overwrite(path, now + bytes);
  }
  void expect_recovers(uint64_t data_cut, uint64_t index_cut) {
    auto l = Ledger::open(dir_);
    ASSERT_TRUE(l.is_ok()) << l.status().to_string();
    EXPECT_EQ((*l)->store().repair().data_bytes_cut, data_cut);
    EXPECT_EQ((*l)->store().repair().index_bytes_cut, index_cut);
    EXPECT_EQ((*l)->store().count(), blocks_);
    EXPECT_EQ((*l)->chain().head_hash(), head_);
    l->reset();
    EXPECT_EQ(*read_file(BlockStore::data_path(dir_)), data_);
    EXPECT_EQ(*read_file(BlockStore::index_path(dir_)), index_);
    EXPECT_TRUE(verify_ledger(dir_).ok);
  }
  Hash head_;
  uint64_t blocks_ = 0;
  std::string data_, index_;
};

TEST_F(BlockStoreTest, PartialRecordIsCut) {
  std::string record_start = data_.substr(data_.size() - 100);  // plausible bytes
  append_to(BlockStore::data_path(dir_), "FGB1" + record_start.substr(0, 30));
  expect_recovers(34, 0);
}

TEST_F(BlockStoreTest, WholeUnindexedRecordIsCut) {
  // The block reached blocks.dat but its index entry did not: it was never acknowledged.
  IndexEntry last = BlockStore::decode_entry(std::string_view(index_).substr(index_.size() - kIndexEntryBytes));
  std::string copy = data_.substr(last.offset, last.record_len);
  append_to(BlockStore::data_path(dir_), copy);
  expect_recovers(copy.size(), 0);
}

TEST_F(BlockStoreTest, PartialIndexEntryIsCut) {
  append_to(BlockStore::data_path(dir_), "FGB1xxxx");
  append_to(BlockStore::index_path(dir_), std::string(20, '\x01'));
  expect_recovers(8, 20);
}

TEST_F(BlockStoreTest, MissingAcknowledgedDataIsAnErrorNotARepair) {
  overwrite(BlockStore::data_path(dir_), data_.substr(0, data_.size() - 10));
  auto l = Ledger::open(dir_);
  ASSERT_FALSE(l.is_ok());
  EXPECT_THAT(l.status().message(), ::testing::HasSubstr("acknowledged blocks are missing"));
  EXPECT_EQ(read_file(BlockStore::index_path(dir_))->size(), index_.size());
}

TEST_F(BlockStoreTest, AppendsAfterRecoveryContinueTheChain) {
  append_to(BlockStore::data_path(dir_), "FGB1 torn");
  auto l = Ledger::open(dir_);
  ASSERT_TRUE(l.is_ok());
  ledger_ = std::move(l).value();
  Actor b{Identity::generate(IdentityKind::kUser, "b")};
  register_actor(b, IdentityKind::kUser, "b");
  EXPECT_EQ(ledger_->store().count(), blocks_ + 1);
  ledger_.reset();
  VerifyReport r = verify_ledger(dir_);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.blocks, blocks_ + 1);
}

}  // namespace
}  // namespace fogline::ledger::testing
