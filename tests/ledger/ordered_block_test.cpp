// Blocks of an etcd-ordered chain (format version 2): two peers given the same ordered slots
// write byte-identical blocks; invalid transactions are ordered but recorded as rejected by
// both; a block that calls a valid transaction rejected, alters a rejected one or carries a
// signature is refused; a solo chain refuses ordered blocks.
#include <gtest/gtest.h>

#include "ledger/ledger.h"
#include "ledger/ordering.h"
#include "ledger/tx/register_account.h"
#include "ledger/verify.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

std::string genesis_bytes(const Identity& founder) {
  GenesisTx g;
  g.chain_name = "ordered";
  g.economy = Economy::kOff;
  g.orderer_name = "founder";
  g.orderer_box_public = founder.box_public();
  return make_transaction(GenesisTx::kCode, founder, 0, g.encode()).encode();
}

Transaction register_tx(const Identity& who) {
  RegisterAccountTx r;
  r.kind = IdentityKind::kUser;
  r.name = "user-" + short_key(who.sign_public());
  r.box_public = who.box_public();
  return make_transaction(r.kCode, who, 0, r.encode());
}

class OrderedBlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = unique_temp_dir("ordered");
    slots_.push_back({genesis_bytes(founder_)});
    // Slot 1: three registrations, a forged one, a replay of the first and bytes that are no
    // transaction at all.
    std::vector<std::string> s1;
    for (int i = 0; i < 3; ++i) s1.push_back(register_tx(Identity::generate(IdentityKind::kUser, "")).encode());
    Transaction forged = register_tx(Identity::generate(IdentityKind::kUser, ""));
    forged.signature[5] ^= 0x40;
    s1.push_back(forged.encode());
    s1.push_back(s1[0]);
    s1.push_back("not a transaction");
    slots_.push_back(s1);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Ledger> peer(const std::string& name) {
    auto l = Ledger::open(root_ + "/" + name);
    EXPECT_TRUE(l.is_ok()) << l.status().to_string();
    return l.is_ok() ? std::move(l).value() : nullptr;
  }
  // Applies every slot; returns the blocks' encodings.
  std::vector<std::string> feed(Ledger& l) {
    std::vector<std::string> out;
    for (size_t s = 0; s < slots_.size(); ++s) {
      auto b = l.append_ordered(s, 1000 + s, slots_[s]);
      EXPECT_TRUE(b.is_ok()) << b.status().to_string();
      if (b.is_ok()) out.push_back(b->encode());
    }
    return out;
  }
  // Block 1 as peer "a" built it, ready to be altered and offered to a fresh peer at height 1.
  Block block1_and_fresh_peer(std::unique_ptr<Ledger>& fresh) {
    auto a = peer("a");
    feed(*a);
    auto b = a->read_block(1);
    EXPECT_TRUE(b.is_ok());
    fresh = peer("fresh");
    EXPECT_TRUE(fresh->append_ordered(0, 1000, slots_[0]).is_ok());
    return *b;
  }

  Identity founder_ = Identity::generate(IdentityKind::kOrganisation, "founder");
  std::string root_;
  std::vector<std::vector<std::string>> slots_;
};

TEST_F(OrderedBlockTest, PeersBuildIdenticalBlocksAndRejectTheSameTransactions) {
  auto a = peer("a"), b = peer("b");
  std::vector<std::string> blocks_a = feed(*a), blocks_b = feed(*b);
  ASSERT_EQ(blocks_a.size(), 2u);
  EXPECT_EQ(blocks_a, blocks_b);
  EXPECT_EQ(a->chain().head_hash(), b->chain().head_hash());
  EXPECT_TRUE(a->chain().ordered_externally());

  auto block1 = a->read_block(1);
  ASSERT_TRUE(block1.is_ok());
  EXPECT_EQ(block1->header.version, kOrderedBlockFormatVersion);
  EXPECT_EQ(block1->header.slot, 1u);
  EXPECT_EQ(block1->txs.size(), 3u);
  ASSERT_EQ(block1->rejected.size(), 3u);
  EXPECT_EQ(block1->rejected[0].position, 3u);  // forged
  EXPECT_EQ(block1->rejected[1].position, 4u);  // replay
  EXPECT_EQ(block1->rejected[2].position, 5u);  // undecodable
  EXPECT_EQ(a->state().accounts().size(), 4u);  // the founder and three users
  EXPECT_EQ(a->chain().log().size(), 4u);       // rejected transactions are not in the log

  // Replayed from disk and verified from genesis, the chain is the same.
  std::string head = hash_hex(a->chain().head_hash());
  a.reset();
  auto reopened = peer("a");
  EXPECT_EQ(hash_hex(reopened->chain().head_hash()), head);
  VerifyReport report = verify_ledger(root_ + "/a");
  EXPECT_TRUE(report.ok) << report.error;
  EXPECT_EQ(report.head_hash, head);
}

TEST_F(OrderedBlockTest, CallingAValidTransactionRejectedIsRefused) {
  std::unique_ptr<Ledger> fresh;
  Block b = block1_and_fresh_peer(fresh);
  // Drop the last valid registration (slot position 2) into the rejected list, and make the
  // header consistent with that so only the judgement can catch it.
  b.rejected.insert(b.rejected.begin(), RejectedTx{2, b.tx_bytes[2]});
  b.txs.pop_back();
  b.tx_bytes.pop_back();
  MerkleTree log = fresh->chain().log();
  for (const auto& t : b.tx_bytes) log.append(leaf_hash(t));
  b.header.tx_count = 2;
  b.header.tx_root = tx_root_of(b.tx_bytes);
  b.header.log_size = log.size();
  b.header.log_root = log.root();
  b.header.rejected_count = static_cast<uint32_t>(b.rejected.size());
  b.header.rejected_hash = rejected_hash_of(b.rejected);
  Status st = fresh->append_block(b);
  EXPECT_NE(st.message().find("is valid: a peer may not drop it"), std::string::npos) << st.to_string();
  EXPECT_EQ(fresh->chain().height(), 1u);
  EXPECT_EQ(fresh->state().accounts().size(), 1u);
}

TEST_F(OrderedBlockTest, AlteredRejectedTransactionOrSignatureIsRefused) {
  std::unique_ptr<Ledger> fresh;
  Block b = block1_and_fresh_peer(fresh);
  Block altered = b;
  altered.rejected[2].bytes[0] ^= 1;
  Status st = fresh->append_block(altered);
  EXPECT_NE(st.message().find("rejected hash does not match"), std::string::npos) << st.to_string();

  Block signed_block = b;
  signed_block.signature[0] = 1;
  st = fresh->append_block(signed_block);
  EXPECT_NE(st.message().find("no orderer key and no signature"), std::string::npos) << st.to_string();

  Block reordered = b;
  std::swap(reordered.rejected[0].position, reordered.rejected[1].position);
  reordered.header.rejected_hash = rejected_hash_of(reordered.rejected);
  st = fresh->append_block(reordered);
  EXPECT_NE(st.message().find("positions must increase"), std::string::npos) << st.to_string();

  EXPECT_TRUE(fresh->append_block(b).is_ok());  // the genuine block still applies
  EXPECT_EQ(fresh->state().accounts().size(), 4u);
}

TEST_F(OrderedBlockTest, EncodingRoundTripsAndSoloChainsRefuseOrderedBlocks) {
  auto a = peer("a");
  feed(*a);
  auto b = a->read_block(1);
  ASSERT_TRUE(b.is_ok());
  auto again = Block::decode(b->encode());
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->encode(), b->encode());
  EXPECT_EQ(again->header.hash(), b->header.hash());

  Identity orderer = Identity::generate(IdentityKind::kOrganisation, "orderer");
  GenesisTx g;
  g.chain_name = "solo";
  g.orderer_name = "orderer";
  g.orderer_box_public = orderer.box_public();
  auto solo = Ledger::create(root_ + "/solo", g, orderer);
  ASSERT_TRUE(solo.is_ok()) << solo.status().to_string();
  auto refused = (*solo)->append_ordered(1, 1, slots_[1]);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("with a solo orderer"), std::string::npos) << refused.status().to_string();
  EXPECT_EQ((*solo)->chain().height(), 1u);
}

TEST(OrderingFormats, BatchRoundTripAndBase64Vectors) {
  OrderedBatch batch{42, {"one", std::string("\0two", 4), ""}};
  auto back = decode_batch(encode_batch(batch));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->timestamp_ms, 42u);
  EXPECT_EQ(back->txs, batch.txs);
  EXPECT_FALSE(decode_batch(encode_batch(batch) + "x").is_ok());
  EXPECT_FALSE(decode_batch(std::string("\x02", 1) + encode_batch(batch).substr(1)).is_ok());

  // RFC 4648 section 10.
  const char* vectors[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
                              {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto& v : vectors) {
    EXPECT_EQ(base64_encode(v[0]), v[1]);
    auto d = base64_decode(v[1]);
    ASSERT_TRUE(d.is_ok());
    EXPECT_EQ(*d, v[0]);
  }
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_FALSE(base64_decode("Zm9").is_ok());
  EXPECT_FALSE(base64_decode("Zm=v").is_ok());
  EXPECT_FALSE(base64_decode("Zm9*").is_ok());
  EXPECT_EQ(prefix_end("a/slot/"), "a/slot0");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
}

}  // namespace
}  // namespace fogline::ledger::testing
