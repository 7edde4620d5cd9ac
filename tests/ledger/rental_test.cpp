// Model rental: a renter prepays, its nodes get the bundle key sealed to them, and settle metered
// inferences in batches (a Merkle root over the counter reports); the owner is paid per 1,000
// inferences without rounding drift across batches, and a batch beyond the prepayment is
// refused with the reason a node must stop serving.
#include <gmock/gmock.h>

#include <map>

#include "crypto/envelope.h"
#include "ledger/tx/model_publish.h"
#include "ledger/tx/rental_start.h"
#include "ledger/tx/usage_settle.h"
#include "ledger/usage_report.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

using ::testing::HasSubstr;

class RentalTest : public LedgerFixture {
 protected:
  void start(Economy economy, uint64_t price_per_1000) {
    make_ledger(economy);
    register_actor(owner_, IdentityKind::kOrganisation, "model-owner");
    register_actor(renter_, IdentityKind::kOrganisation, "renter");
    register_actor(node_, IdentityKind::kNode, "edge-1");
    register_actor(other_node_, IdentityKind::kNode, "edge-2");
    if (economy == Economy::kCredits) {
      ASSERT_TRUE(submit(mint_tx(renter_, 100)).is_ok());
    }
    ModelPublishTx m;
    m.name = "detector";
    m.version = "1.2.0";
    m.bundle_sha256 = sha256("bundle bytes");
    m.price_per_1000 = price_per_1000;
    Transaction tx = sign(owner_, m.kCode, m.encode());
    ASSERT_TRUE(submit(tx).is_ok());
    model_ = tx.id();
  }
  Hash start_rental(uint64_t prepaid) {
    RentalStartTx r;
    r.model = model_;
    r.prepaid = prepaid;
    bundle_key_ = crypto::seal_envelope("bundle", owner_.id.box_public()).sealed_key;
    auto for_node = crypto::rewrap_data_key(bundle_key_, owner_.id, node_.id.box_public());
    EXPECT_TRUE(for_node.is_ok());
    r.nodes.push_back(RentalNode{node_.key(), *for_node});
    Transaction tx = sign(renter_, r.kCode, r.encode());
    Status st = submit(tx);
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    return tx.id();
  }
  Transaction settle(Actor& who, const Hash& rental, uint64_t inferences) {
    std::vector<Hash> reports;
    for (int i = 0; i < 3; ++i) reports.push_back(leaf_hash("counter report " + std::to_string(inferences) + "/" + std::to_string(i)));
    UsageSettleTx u;
    u.rental = rental;
    u.inferences = inferences;
    u.report_count = 3;
    u.first_sequence = next_sequence_[&who];
    u.last_sequence = u.first_sequence + 2;
    u.reports_root = merkle_root(reports);
    Transaction tx = sign(who, u.kCode, u.encode());
    next_sequence_[&who] += 3;  // a refused settlement's reports are settled again later
    return tx;
  }
  // The tests resubmit refused batches; only accepted ones advance the node's sequence.
  void refused(Actor& who) {
    --who.nonce;
    next_sequence_[&who] -= 3;
  }
  std::map<Actor*, uint64_t> next_sequence_{{&node_, 1}, {&other_node_, 1}};
  Actor owner_{Identity::generate(IdentityKind::kOrganisation, "model-owner")};
  Actor renter_{Identity::generate(IdentityKind::kOrganisation, "renter")};
  Actor node_{Identity::generate(IdentityKind::kNode, "edge-1")};
  Actor other_node_{Identity::generate(IdentityKind::kNode, "edge-2")};
  Hash model_{};
  std::string bundle_key_;
};

TEST_F(RentalTest, PrepaidUsageIsSettledInBatchesWithoutDrift) {
  start(Economy::kCredits, 5);
  Hash rental = start_rental(20);
  EXPECT_EQ(balance(renter_), 80u);
  EXPECT_EQ(state().total_credits(), 100u);
  // The node can open the bundle key sealed to it; the other node cannot.
  const Rental& r = *state().rental(rental);
  EXPECT_TRUE(crypto::open_data_key(r.nodes[0].sealed_bundle_key, node_.id).is_ok());
  EXPECT_FALSE(crypto::open_data_key(r.nodes[0].sealed_bundle_key, other_node_.id).is_ok());

  ASSERT_TRUE(submit(settle(node_, rental, 1500)).is_ok());  // owes 7 (7.5 rounded down)
  EXPECT_EQ(balance(owner_), 7u);
  ASSERT_TRUE(submit(settle(node_, rental, 500)).is_ok());  // 2000 in total: 10, so 3 more
  EXPECT_EQ(balance(owner_), 10u);
  EXPECT_EQ(state().rental(rental)->prepaid, 10u);
  EXPECT_EQ(state().rental(rental)->inferences, 2000u);

  Snapshot before = snapshot();
  Status st = submit(settle(node_, rental, 3000));  // 5000 in total: 25, 15 more > 10 left
  EXPECT_THAT(st.message(), HasSubstr("prepaid credit exhausted"));
  EXPECT_THAT(st.message(), HasSubstr("stop serving"));
  refused(node_);
  EXPECT_THAT(submit(settle(other_node_, rental, 10)).message(), HasSubstr("not a node of this rental"));
  refused(other_node_);
  // Reports already settled cannot be settled again.
  next_sequence_[&node_] = 4;
  EXPECT_THAT(submit(settle(node_, rental, 100)).message(), HasSubstr("already settled"));
  refused(node_);
  next_sequence_[&node_] = 7;
  EXPECT_EQ(snapshot(), before);
  ASSERT_TRUE(submit(settle(node_, rental, 2000)).is_ok());  // exactly uses up the prepayment
  EXPECT_EQ(state().rental(rental)->prepaid, 0u);
  EXPECT_EQ(balance(owner_), 20u);
  EXPECT_EQ(state().total_credits(), 100u);
}

TEST_F(RentalTest, RentalNeedsPrepaymentAndBalance) {
  start(Economy::kCredits, 5);
  RentalStartTx r;
  r.model = model_;
  r.prepaid = 500;
  r.nodes.push_back(RentalNode{node_.key(), std::string(crypto::kSealedKeyBytes, 'k')});
  Snapshot before = snapshot();
  EXPECT_THAT(submit(sign(renter_, r.kCode, r.encode())).message(), HasSubstr("insufficient balance"));
  --renter_.nonce;
  r.prepaid = 0;
  EXPECT_THAT(submit(sign(renter_, r.kCode, r.encode())).message(), HasSubstr("prepay"));
  --renter_.nonce;
  r.prepaid = 10;
  r.nodes[0].node = owner_.key();
  EXPECT_THAT(submit(sign(renter_, r.kCode, r.encode())).message(), HasSubstr("is not a node"));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(RentalTest, EconomyOffRecordsWhoRunsWhatWithoutBalances) {
  start(Economy::kOff, 0);
  Hash rental = start_rental(0);
  ASSERT_TRUE(submit(settle(node_, rental, 1234)).is_ok());
  EXPECT_EQ(state().rental(rental)->inferences, 1234u);
  EXPECT_EQ(state().rental(rental)->paid, 0u);
  for (const auto& [k, a] : state().accounts()) EXPECT_FALSE(a.balance.has_value());
}

TEST_F(RentalTest, SignedCounterReportsSettleAsOneTransaction) {
  start(Economy::kCredits, 5);
  Hash rental = start_rental(20);
  std::vector<UsageReport> reports;
  for (uint64_t seq = 1; seq <= 6; ++seq) reports.push_back(sign_usage_report(node_.id, rental, seq, 250));
  auto settle_tx = settle_reports(reports);
  ASSERT_TRUE(settle_tx.is_ok()) << settle_tx.status().to_string();
  EXPECT_EQ(settle_tx->inferences, 1500u);
  EXPECT_EQ(settle_tx->report_count, 6u);
  ASSERT_TRUE(submit(sign(node_, UsageSettleTx::kCode, settle_tx->encode())).is_ok());
  EXPECT_EQ(balance(owner_), 7u);
  EXPECT_EQ(state().rental(rental)->nodes[0].settled_sequence, 6u);
  // Replaying the same reports in a new settlement is refused by the chain.
  EXPECT_THAT(submit(sign(node_, UsageSettleTx::kCode, settle_tx->encode())).message(), HasSubstr("already settled"));
  --node_.nonce;
  // Any single report is provably part of the settled batch.
  MerkleTree tree;
  for (const auto& r : reports) tree.append(leaf_hash(r.encode()));
  auto proof = tree.inclusion_proof(3, reports.size());
  ASSERT_TRUE(proof.is_ok());
  EXPECT_TRUE(verify_inclusion(leaf_hash(reports[3].encode()), 3, reports.size(), *proof, settle_tx->reports_root).is_ok());
  // Forged, foreign, repeated or reordered reports are refused before anything is submitted.
  auto forged = reports;
  forged[2].inferences = 1;
  EXPECT_THAT(settle_reports(forged).status().message(), HasSubstr("not signed by node"));
  auto foreign = reports;
  foreign[4] = sign_usage_report(other_node_.id, rental, 5, 250);
  EXPECT_THAT(settle_reports(foreign).status().message(), HasSubstr("another rental or node"));
  auto repeated = reports;
  repeated[5] = reports[4];
  EXPECT_THAT(settle_reports(repeated).status().message(), HasSubstr("does not follow sequence"));
  EXPECT_FALSE(settle_reports({}).is_ok());
}

TEST(RentalOwed, RoundsDownOnTheTotal) {
  EXPECT_EQ(rental_owed(999, 1), 0u);
  EXPECT_EQ(rental_owed(1000, 1), 1u);
  EXPECT_EQ(rental_owed(UINT64_MAX, 1000), UINT64_MAX);
  EXPECT_EQ(rental_owed(UINT64_MAX, 2000), UINT64_MAX);  // saturates instead of wrapping
}

}  // namespace
}  // namespace fogline::ledger::testing
