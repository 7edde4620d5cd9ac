// Malformed transactions and blocks are refused with a message naming the field, never crash,
// and the canonical encodings round-trip.
#include <gmock/gmock.h>

#include "ledger/block.h"
#include "ledger/tx_type.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

using ::testing::HasSubstr;

class EncodingTest : public LedgerFixture {
 protected:
  void SetUp() override {
    make_ledger(Economy::kCredits);
    Actor a{Identity::generate(IdentityKind::kUser, "a")};
    register_actor(a, IdentityKind::kUser, "a");
    ASSERT_TRUE(submit(mint_tx(a, 10)).is_ok());
    auto r = ledger_->submit({transfer_tx(a, mint_, 3), dataset_tx(a, "d")}, orderer_.id);
    ASSERT_TRUE(r.is_ok());
    block_ = *ledger_->read_block(ledger_->chain().height() - 1);
  }
  Block block_;
};

TEST_F(EncodingTest, RoundTrips) {
  std::string bytes = block_.encode();
  auto again = Block::decode(bytes);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->encode(), bytes);
  EXPECT_EQ(again->header.hash(), block_.header.hash());
  for (size_t i = 0; i < block_.txs.size(); ++i) {
    EXPECT_EQ(block_.txs[i].encode(), block_.tx_bytes[i]);
    auto tx = Transaction::decode(block_.tx_bytes[i]);
    ASSERT_TRUE(tx.is_ok());
    EXPECT_EQ(tx->id(), sha256(block_.tx_bytes[i]));
  }
}

TEST_F(EncodingTest, EveryTruncationIsRefused) {
  std::string bytes = block_.encode();
  for (size_t n = 0; n < bytes.size(); ++n) ASSERT_FALSE(Block::decode(bytes.substr(0, n)).is_ok()) << n;
  EXPECT_THAT(Block::decode(bytes + "x").status().message(), HasSubstr("trailing"));
  const std::string& tx = block_.tx_bytes[0];
  for (size_t n = 0; n < tx.size(); ++n) ASSERT_FALSE(Transaction::decode(tx.substr(0, n)).is_ok()) << n;
  EXPECT_THAT(Transaction::decode(tx.substr(0, 20)).status().message(), HasSubstr("field 'sender'"));
}

TEST_F(EncodingTest, EveryTypeRefusesGarbageBodies) {
  // Random bodies of many lengths: each type's decoder says no (or yes) without crashing, and a
  // huge declared count is refused before anything is allocated for it.
  std::mt19937 rng(7);
  for (const auto& type : tx_types()) {
    for (int len = 0; len < 300; len += 3) {
      std::string body(len, '\0');
      for (char& c : body) c = static_cast<char>(rng());
      (void)type.decode(body);
    }
  }
  std::string huge_grant(64, '\0');
  huge_grant += std::string("\xff\xff\xff\xff", 4);
  EXPECT_THAT(find_tx_type(10)->decode(huge_grant).status().message(), HasSubstr("key_count"));
}

TEST_F(EncodingTest, VersionBytesAreChecked) {
  std::string tx = block_.tx_bytes[0];
  EXPECT_EQ(tx[0], 2) << "new transactions are written as format version 2";
  for (char v : {0, 3, 255}) {
    tx[0] = v;
    // The reader names the version it got and the ones it reads.
    EXPECT_THAT(Transaction::decode(tx).status().message(),
                HasSubstr("format version " + std::to_string(static_cast<unsigned char>(v)) +
                          " is not supported: this build reads versions 1 to 2"));
  }
  std::string b = block_.encode();
  b[0] = 9;
  EXPECT_THAT(Block::decode(b).status().message(), HasSubstr("format version 9"));
}

TEST_F(EncodingTest, DescribesEveryTransaction) {
  for (const auto& tx : block_.txs) EXPECT_THAT(describe_transaction(tx), ::testing::Not(HasSubstr("undecodable")));
  EXPECT_THAT(describe_transaction(block_.txs[0]), HasSubstr("transfer 3 to"));
}

}  // namespace
}  // namespace fogline::ledger::testing
