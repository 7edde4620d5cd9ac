// Must-show 1: each attack is refused with a reason that names it, and the state is unchanged.
#include <gmock/gmock.h>

#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

using ::testing::HasSubstr;

class Rejections : public LedgerFixture {
 protected:
  void SetUp() override {
    make_ledger(Economy::kCredits);
    register_actor(alice_, IdentityKind::kUser, "alice");
    register_actor(bob_, IdentityKind::kUser, "bob");
    register_actor(carol_, IdentityKind::kUser, "carol");
    ASSERT_TRUE(submit(mint_tx(alice_, 100)).is_ok());
  }
  Actor alice_{Identity::generate(IdentityKind::kUser, "alice")};
  Actor bob_{Identity::generate(IdentityKind::kUser, "bob")};
  Actor carol_{Identity::generate(IdentityKind::kUser, "carol")};
};

TEST_F(Rejections, ForgedSignature) {
  Snapshot before = snapshot();
  Transaction tx = transfer_tx(alice_, bob_, 10);
  tx.signature[5] ^= 0x01;
  Status st = submit(tx);
  EXPECT_THAT(st.message(), HasSubstr("signature invalid"));
  EXPECT_EQ(snapshot(), before);

  // Signed by bob but claiming to be alice.
  TransferTx t;
  t.to = bob_.key();
  t.amount = 10;
  Transaction forged = make_transaction(t.kCode, bob_.id, alice_.nonce - 1, t.encode());
  forged.sender = alice_.key();
  st = submit(forged);
  EXPECT_THAT(st.message(), HasSubstr("signature invalid"));
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(balance(alice_), 100u);
}

TEST_F(Rejections, ReplayedNonce) {
  Transaction tx = transfer_tx(alice_, bob_, 10);
  ASSERT_TRUE(submit(tx).is_ok());
  Snapshot before = snapshot();
  Status st = submit(tx);  // the very same transaction again
  EXPECT_THAT(st.message(), HasSubstr("replay"));
  EXPECT_EQ(snapshot(), before);
  // A different transaction reusing the spent nonce.
  --alice_.nonce;
  st = submit(transfer_tx(alice_, carol_, 5));
  EXPECT_THAT(st.message(), HasSubstr("replayed or stale"));
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(balance(bob_), 10u);
  EXPECT_EQ(balance(carol_), 0u);
}

TEST_F(Rejections, DoubleSpend) {
  Snapshot before = snapshot();
  // Two spends of 80 from a balance of 100 in one batch: the second is refused.
  auto r = ledger_->submit({transfer_tx(alice_, bob_, 80), transfer_tx(alice_, carol_, 80)}, orderer_.id);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->statuses[0].is_ok());
  EXPECT_THAT(r->statuses[1].message(), HasSubstr("insufficient balance"));
  EXPECT_EQ(balance(alice_), 20u);
  EXPECT_EQ(balance(bob_), 80u);
  EXPECT_EQ(balance(carol_), 0u);
  EXPECT_EQ(state().total_credits(), before.total);
  // And in a later block: escrowing more than is left.
  Snapshot mid = snapshot();
  --alice_.nonce;  // the refused transaction did not use its nonce
  Status st = submit(escrow_tx(alice_, carol_, 21));
  EXPECT_THAT(st.message(), HasSubstr("insufficient balance"));
  EXPECT_EQ(snapshot(), mid);
}

TEST_F(Rejections, SpendingAnotherAccountsEscrow) {
  Transaction create = escrow_tx(alice_, bob_, 60);
  Hash escrow = create.id();
  ASSERT_TRUE(submit(create).is_ok());
  Snapshot before = snapshot();
  EscrowReleaseTx release;
  release.escrow = escrow;
  Status st = submit(sign(carol_, release.kCode, release.encode()));
  EXPECT_THAT(st.message(), HasSubstr("may not release it"));
  --carol_.nonce;
  st = submit(sign(bob_, release.kCode, release.encode()));  // the payee cannot release to itself
  EXPECT_THAT(st.message(), HasSubstr("may not release it"));
  --bob_.nonce;
  EscrowRefundTx refund;
  refund.escrow = escrow;
  st = submit(sign(carol_, refund.kCode, refund.encode()));
  EXPECT_THAT(st.message(), HasSubstr("may not refund it"));
  --carol_.nonce;
  st = submit(sign(alice_, refund.kCode, refund.encode()));  // the payer, before the refund height
  EXPECT_THAT(st.message(), HasSubstr("refundable to its payer from height 1000"));
  --alice_.nonce;
  EXPECT_EQ(snapshot(), before);
  // The payer may release it; then it is spent and cannot be released again.
  ASSERT_TRUE(submit(sign(alice_, release.kCode, release.encode())).is_ok());
  EXPECT_EQ(balance(bob_), 60u);
  Snapshot after = snapshot();
  st = submit(sign(alice_, release.kCode, release.encode()));
  EXPECT_THAT(st.message(), HasSubstr("already released"));
  EXPECT_EQ(snapshot(), after);
}

TEST_F(Rejections, GrantByNonOwner) {
  Transaction ds = dataset_tx(alice_, "street-cams");
  ASSERT_TRUE(submit(ds).is_ok());
  Snapshot before = snapshot();
  GrantTx g;
  g.subject = ds.id();
  g.grantee = carol_.key();
  Status st = submit(sign(bob_, g.kCode, g.encode()));
  EXPECT_THAT(st.message(), HasSubstr("only the owner may grant"));
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(state().grant(ds.id(), carol_.key()), nullptr);
  // The owner may.
  ASSERT_TRUE(submit(sign(alice_, g.kCode, g.encode())).is_ok());
  EXPECT_NE(state().grant(ds.id(), carol_.key()), nullptr);
}

TEST_F(Rejections, MintByOtherThanTheAuthority) {
  Snapshot before = snapshot();
  MintTx m;
  m.to = bob_.key();
  m.amount = 1000;
  Status st = submit(sign(bob_, m.kCode, m.encode()));
  EXPECT_THAT(st.message(), HasSubstr("only the mint authority"));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(Rejections, UnregisteredSenderAndUnknownType) {
  Snapshot before = snapshot();
  Actor stranger = make_actor(IdentityKind::kUser, "stranger");
  EXPECT_THAT(submit(transfer_tx(stranger, bob_, 1)).message(), HasSubstr("not a registered account"));
  EXPECT_THAT(submit(sign(alice_, 999, "")).message(), HasSubstr("unknown transaction type 999"));
  --alice_.nonce;
  EXPECT_THAT(submit(sign(alice_, TransferTx::kCode, "short")).message(), HasSubstr("transfer body"));
  EXPECT_EQ(snapshot(), before);
}

// A block whose transaction was altered after the orderer built it, offered to a replica.
class TamperedBlock : public Rejections {
 protected:
  // Copies the ledger directory as it is now and opens the copy.
  std::unique_ptr<Ledger> replica() {
    std::string copy = root_ + "/replica-" + std::to_string(replicas_++);
    fs::copy(dir_, copy, fs::copy_options::recursive);
    auto l = Ledger::open(copy);
    EXPECT_TRUE(l.is_ok()) << l.status().to_string();
    return std::move(l).value();
  }
  int replicas_ = 0;
};

TEST_F(TamperedBlock, RefusedWithStateUnchanged) {
  auto peer = replica();
  ASSERT_TRUE(submit(transfer_tx(alice_, bob_, 30)).is_ok());
  auto block = ledger_->read_block(ledger_->chain().height() - 1);
  ASSERT_TRUE(block.is_ok());
  const State& ps = peer->state();
  uint64_t peer_height = ps.height;
  Hash peer_head = peer->chain().head_hash();

  // 1. The amount changed in the stored transaction: the transaction root no longer matches.
  Block tampered = *block;
  TransferTx t;
  t.to = bob_.key();
  t.amount = 90;
  tampered.txs[0].body = t.encode();
  tampered.tx_bytes[0] = tampered.txs[0].encode();
  Status st = peer->append_block(tampered);
  EXPECT_THAT(st.message(), HasSubstr("transaction root"));
  // 2. ... and the root recomputed: the orderer's signature no longer matches.
  tampered.header.tx_root = tx_root_of(tampered.tx_bytes);
  st = peer->append_block(tampered);
  EXPECT_THAT(st.message(), HasSubstr("orderer signature"));
  // 3. ... and re-signed by the orderer itself: alice's signature still does not match.
  tampered.header.log_root = [&] {
    MerkleTree log = peer->chain().log();
    log.append(leaf_hash(tampered.tx_bytes[0]));
    return log.root();
  }();
  tampered.signature = orderer_.id.sign(block_signing_bytes(tampered.header.hash()));
  st = peer->append_block(tampered);
  EXPECT_THAT(st.message(), HasSubstr("signature invalid"));
  EXPECT_EQ(ps.height, peer_height);
  EXPECT_EQ(peer->chain().head_hash(), peer_head);
  EXPECT_EQ(ps.account(alice_.key())->balance, 100u);
  EXPECT_EQ(peer->store().count(), peer_height);
  // The genuine block is accepted.
  ASSERT_TRUE(peer->append_block(*block).is_ok());
  EXPECT_EQ(ps.account(alice_.key())->balance, 70u);
  EXPECT_EQ(peer->chain().head_hash(), ledger_->chain().head_hash());
}

TEST_F(TamperedBlock, OrdererSignedDoubleSpendIsRolledBack) {
  // A malicious orderer signs a block with two spends of 80 from alice's 100: the whole block is
  // refused, including the first transfer, which alone would have been valid.
  auto peer = replica();
  Chain builder;
  for (uint64_t h = 0; h < ledger_->chain().height(); ++h) ASSERT_TRUE(builder.apply_block(*ledger_->read_block(h)).is_ok());
  Transaction a = transfer_tx(alice_, bob_, 80), b = transfer_tx(alice_, carol_, 80);
  Block bad = builder.make_block({a, b}, {a.encode(), b.encode()}, orderer_.id, 1);
  Snapshot before = snapshot();
  Status st = peer->append_block(bad);
  EXPECT_THAT(st.message(), HasSubstr("insufficient balance"));
  EXPECT_THAT(st.message(), HasSubstr("transaction #1"));
  EXPECT_EQ(peer->state().account(alice_.key())->balance, 100u);
  EXPECT_EQ(peer->state().account(bob_.key())->balance, 0u);
  EXPECT_EQ(peer->state().account(alice_.key())->next_nonce, 1u);
  EXPECT_EQ(peer->state().height, before.height);
  EXPECT_EQ(peer->state().tx_count, before.tx_count);
  EXPECT_EQ(peer->store().count(), before.height);
}

TEST_F(TamperedBlock, BlockFromAnotherOrdererIsRefused) {
  auto peer = replica();
  Chain builder;
  for (uint64_t h = 0; h < ledger_->chain().height(); ++h) ASSERT_TRUE(builder.apply_block(*ledger_->read_block(h)).is_ok());
  Transaction a = transfer_tx(alice_, bob_, 1);
  Block rogue = builder.make_block({a}, {a.encode()}, bob_.id, 1);
  EXPECT_THAT(peer->append_block(rogue).message(), HasSubstr("not by the chain's orderer"));
}

}  // namespace
}  // namespace fogline::ledger::testing
