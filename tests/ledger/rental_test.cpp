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
#include "crypto/usage_counter.h"
#include "ledger/rental_view.h"
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
  // Three signed counter reports by `who` adding `inferences` to its cumulative counter.
  std::vector<crypto::UsageCounter> counters(Actor& who, uint64_t inferences) {
    std::vector<crypto::UsageCounter> out;
    uint64_t base = counted_[&who];
    for (uint64_t i = 0; i < 3; ++i)
      out.push_back(crypto::sign_usage_counter(who.id, "detector", "1.2.0", renter_.key(),
                                               base + (i == 2 ? inferences : inferences * i / 3),
                                               next_sequence_[&who] + i, 1700000000000 + i));
    return out;
  }
  Transaction settle(Actor& who, const Hash& rental, uint64_t inferences) {
    auto reports = counters(who, inferences);
    std::vector<Hash> leaves;
    for (const auto& r : reports) leaves.push_back(leaf_hash(r.encode()));
    UsageSettleTx u;
    u.rental = rental;
    u.inferences = inferences;
    u.report_count = 3;
    u.first_sequence = next_sequence_[&who];
    u.last_sequence = u.first_sequence + 2;
    u.reports_root = merkle_root(leaves);
    u.last_report = reports.back().encode();
    Transaction tx = sign(who, u.kCode, u.encode());
    next_sequence_[&who] += 3;  // a refused settlement's reports are settled again later
    counted_[&who] += inferences;
    last_added_[&who] = inferences;
    return tx;
  }
  // The tests resubmit refused batches; only accepted ones advance the node's sequence.
  void refused(Actor& who) {
    --who.nonce;
    next_sequence_[&who] -= 3;
    counted_[&who] -= last_added_[&who];
  }
  std::map<Actor*, uint64_t> counted_, last_added_;
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
  counted_[&node_] = 1500;
  EXPECT_THAT(submit(settle(node_, rental, 100)).message(), HasSubstr("already settled"));
  refused(node_);
  next_sequence_[&node_] = 7;
  counted_[&node_] = 2000;
  EXPECT_EQ(snapshot(), before);
  EXPECT_FALSE(state().rental(rental)->exhausted);
  // 4199 in total owe 20 (rounded down), exactly the prepayment; inference 4200 would owe 21.
  ASSERT_TRUE(submit(settle(node_, rental, 2199)).is_ok());
  EXPECT_EQ(state().rental(rental)->prepaid, 0u);
  EXPECT_EQ(balance(owner_), 20u);
  // Nothing is left to pay for one more inference: the state says so, and why.
  EXPECT_TRUE(state().rental(rental)->exhausted);
  EXPECT_EQ(rental_inferences_left(*state().rental(rental)), 0u);
  EXPECT_THAT(rental_exhausted_reason(*state().rental(rental)), HasSubstr("prepaid credit exhausted"));
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
  std::vector<crypto::UsageCounter> reports;
  for (uint64_t seq = 1; seq <= 6; ++seq)
    reports.push_back(crypto::sign_usage_counter(node_.id, "detector", "1.2.0", renter_.key(), 250 * seq, seq, 1000 + seq));
  auto found = find_rental_for(state(), reports[0]);
  ASSERT_TRUE(found.is_ok()) << found.status().to_string();
  EXPECT_EQ(*found, rental);
  auto settle_tx = settle_reports(state(), rental, reports);
  ASSERT_TRUE(settle_tx.is_ok()) << settle_tx.status().to_string();
  EXPECT_EQ(settle_tx->inferences, 1500u);
  EXPECT_EQ(settle_tx->report_count, 6u);

  // The chain checks the batch's last report: a forged one (the count raised after signing) and a
  // total that does not match the counter are refused, and nothing changes.
  Snapshot before = snapshot();
  UsageSettleTx forged = *settle_tx;
  crypto::UsageCounter raised = reports.back();
  raised.inferences = 100000;
  forged.last_report = raised.encode();
  forged.inferences = 100000;
  EXPECT_THAT(submit(sign(renter_, UsageSettleTx::kCode, forged.encode())).message(), HasSubstr("forged"));
  --renter_.nonce;
  UsageSettleTx inflated = *settle_tx;
  inflated.inferences = 1600;
  EXPECT_THAT(submit(sign(node_, UsageSettleTx::kCode, inflated.encode())).message(), HasSubstr("counter moved by 1500"));
  --node_.nonce;
  EXPECT_EQ(snapshot(), before);

  // The renter may submit its node's reports (they are signed by the node).
  ASSERT_TRUE(submit(sign(renter_, UsageSettleTx::kCode, settle_tx->encode())).is_ok());
  EXPECT_EQ(balance(owner_), 7u);
  EXPECT_EQ(state().rental(rental)->nodes[0].settled_sequence, 6u);
  EXPECT_EQ(state().rental(rental)->nodes[0].settled_inferences, 1500u);
  // Replaying the same reports in a new settlement is refused by the chain and by the builder.
  EXPECT_THAT(submit(sign(node_, UsageSettleTx::kCode, settle_tx->encode())).message(), HasSubstr("already settled"));
  --node_.nonce;
  EXPECT_THAT(settle_reports(state(), rental, reports).status().message(), HasSubstr("replayed"));
  // Any single report is provably part of the settled batch.
  MerkleTree tree;
  for (const auto& r : reports) tree.append(leaf_hash(r.encode()));
  auto proof = tree.inclusion_proof(3, reports.size());
  ASSERT_TRUE(proof.is_ok());
  EXPECT_TRUE(verify_inclusion(leaf_hash(reports[3].encode()), 3, reports.size(), *proof, settle_tx->reports_root).is_ok());

  // A counter that goes down is refused by the builder, and by the chain when sent anyway.
  auto lower = crypto::sign_usage_counter(node_.id, "detector", "1.2.0", renter_.key(), 1400, 7, 2000);
  EXPECT_THAT(settle_reports(state(), rental, {lower}).status().message(), HasSubstr("counter went down"));
  UsageSettleTx down = *settle_tx;
  down.first_sequence = down.last_sequence = 7;
  down.report_count = 1;
  down.inferences = 1;
  down.last_report = lower.encode();
  EXPECT_THAT(submit(sign(node_, UsageSettleTx::kCode, down.encode())).message(), HasSubstr("counter went down"));
  --node_.nonce;
  // Forged, foreign or repeated reports are refused before anything is submitted.
  std::vector<crypto::UsageCounter> next;
  for (uint64_t seq = 7; seq <= 9; ++seq)
    next.push_back(crypto::sign_usage_counter(node_.id, "detector", "1.2.0", renter_.key(), 1500 + 100 * (seq - 6), seq, seq));
  auto forged_batch = next;
  forged_batch[1].inferences = 1;
  EXPECT_THAT(settle_reports(state(), rental, forged_batch).status().message(), HasSubstr("forged"));
  auto foreign = next;
  foreign[2] = crypto::sign_usage_counter(other_node_.id, "detector", "1.2.0", renter_.key(), 1800, 9, 9);
  EXPECT_THAT(settle_reports(state(), rental, foreign).status().message(), HasSubstr("another node"));
  auto repeated = next;
  repeated[2] = next[1];
  EXPECT_THAT(settle_reports(state(), rental, repeated).status().message(), HasSubstr("does not follow sequence"));
  EXPECT_FALSE(settle_reports(state(), rental, {}).is_ok());

  // Over the escrow: 7 of the 20 prepaid are paid, 13 held; 4500 inferences in all owe 22, 15 more.
  auto big = crypto::sign_usage_counter(node_.id, "detector", "1.2.0", renter_.key(), 4500, 7, 3000);
  auto over = settle_reports(state(), rental, {big});
  ASSERT_TRUE(over.is_ok());
  Status st = submit(sign(node_, UsageSettleTx::kCode, over->encode()));
  EXPECT_THAT(st.message(), HasSubstr("settlement over the escrow: these 3000 inferences cost 15 credits, the escrow holds 13"));
  --node_.nonce;
  EXPECT_FALSE(state().rental(rental)->exhausted);
  EXPECT_EQ(rental_inferences_left(*state().rental(rental)), 2699u);  // owed(4199) = 20, owed(4200) = 21
}

TEST(RentalOwed, RoundsDownOnTheTotal) {
  EXPECT_EQ(rental_owed(999, 1), 0u);
  EXPECT_EQ(rental_owed(1000, 1), 1u);
  EXPECT_EQ(rental_owed(UINT64_MAX, 1000), UINT64_MAX);
  EXPECT_EQ(rental_owed(UINT64_MAX, 2000), UINT64_MAX);  // saturates instead of wrapping
}

}  // namespace
}  // namespace fogline::ledger::testing

namespace fogline::ledger::testing {
namespace {

// Transaction format version 2 names today's body layouts. Version 1 transactions, which every
// chain made before holds (genesis included) and which carried usage_settle with its last
// report since the node settled itself, still apply, keep their version byte (their id and
// signature cover it) and survive a reopen; the first usage_settle layout and unknown versions
// are refused with a message that says which.
TEST_F(RentalTest, FormatVersionOneStillAppliesOthersAreRefused) {
  start(Economy::kCredits, 1000);
  Hash rental = start_rental(10);
  auto report = crypto::sign_usage_counter(node_.id, "detector", "1.2.0", renter_.key(), 4, 1, 1000);
  auto body = settle_reports(state(), rental, {report});
  ASSERT_TRUE(body.is_ok()) << body.status().to_string();
  auto signed_as = [&](uint8_t version, std::string bytes) {
    Transaction tx;
    tx.version = version;
    tx.type = UsageSettleTx::kCode;
    tx.sender = node_.key();
    tx.nonce = node_.nonce;
    tx.body = std::move(bytes);
    tx.signature = node_.id.sign(tx.signing_bytes());
    return tx;
  };
  // Unknown versions: refused by the decoder and by the state machine, nothing changes.
  Snapshot before = snapshot();
  Transaction v3 = signed_as(3, body->encode());
  EXPECT_THAT(Transaction::decode(v3.encode()).status().message(),
              HasSubstr("transaction format version 3 is not supported: this build reads versions 1 to 2"));
  EXPECT_THAT(submit(v3).message(), HasSubstr("format version 3 is not supported"));
  // The first layout (no last report) is named, not misread.
  std::string first_layout = body->encode().substr(0, 32 + 8 + 4 + 8 + 8 + 32);
  EXPECT_THAT(submit(signed_as(1, first_layout)).message(), HasSubstr("the first usage_settle layout, which is not read"));
  EXPECT_EQ(snapshot(), before);

  // Version 1 in today's layout: decoded as version 1, same bytes, same id, applied.
  Transaction v1 = signed_as(1, body->encode());
  std::string v1_bytes = v1.encode();
  ASSERT_EQ(v1_bytes[0], 1);
  auto decoded = Transaction::decode(v1_bytes);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->version, 1);
  EXPECT_EQ(decoded->encode(), v1_bytes);
  EXPECT_TRUE(decoded->signature_valid());
  ASSERT_TRUE(submit(*decoded).is_ok());
  ++node_.nonce;
  EXPECT_EQ(state().rental(rental)->nodes[0].settled_inferences, 4u);
  EXPECT_EQ(balance(owner_), 4u);
  // The same signature does not hold for the bytes relabelled as version 2.
  Transaction relabelled = *decoded;
  relabelled.version = 2;
  EXPECT_FALSE(relabelled.signature_valid());

  // Reopened from the block files, the version 1 transaction verifies and applies again.
  const Hash head = ledger_->chain().head_hash();
  ledger_.reset();
  auto again = Ledger::open(dir_);
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  ledger_ = std::move(again).value();
  EXPECT_EQ(ledger_->chain().head_hash(), head);
  EXPECT_EQ(state().rental(rental)->nodes[0].settled_inferences, 4u);
  auto last = ledger_->read_block(ledger_->chain().height() - 1);
  ASSERT_TRUE(last.is_ok());
  EXPECT_EQ(last->tx_bytes.back(), v1_bytes);
}

}  // namespace
}  // namespace fogline::ledger::testing

namespace fogline::ledger::testing {
namespace {

// What the hub hands renting nodes (ledger/rental_view.h): each node may count what it settled
// plus its share of what the prepayment still pays for; others' settlements shrink it, and an
// exhausted rental leaves only what was settled.
TEST_F(RentalTest, NodeAllowanceIsItsSettledCountPlusItsShare) {
  start(Economy::kCredits, 1000);
  RentalStartTx r;
  r.model = model_;
  r.prepaid = 11;  // 11 inferences at 1000 per 1000
  for (Actor* n : {&node_, &other_node_}) {
    auto key = crypto::rewrap_data_key(crypto::seal_envelope("bundle", owner_.id.box_public()).sealed_key, owner_.id,
                                       n->id.box_public());
    ASSERT_TRUE(key.is_ok());
    r.nodes.push_back(RentalNode{n->key(), *key});
  }
  Transaction tx = sign(renter_, r.kCode, r.encode());
  ASSERT_TRUE(submit(tx).is_ok());
  const Hash id = tx.id();
  auto allowance = [&](const Actor& a) {
    const Rental* rental = state().rental(id);
    for (const auto& n : rental->nodes)
      if (n.node == a.key()) return rental_node_allowance(state(), *rental, n);
    return uint64_t{0};
  };
  EXPECT_EQ(allowance(node_), 6u) << "the first node takes the odd one";
  EXPECT_EQ(allowance(other_node_), 5u);

  ASSERT_TRUE(submit(settle(other_node_, id, 3)).is_ok());
  EXPECT_EQ(allowance(node_), 4u);        // 8 left: 4 each
  EXPECT_EQ(allowance(other_node_), 7u);  // 3 settled + 4
  auto terms = rental_terms_for(state(), id, node_.key());
  ASSERT_TRUE(terms.is_ok()) << terms.status().to_string();
  EXPECT_EQ((*terms)["prepaid_inferences"], 4);
  EXPECT_EQ((*terms)["node"], key_hex(node_.key()));
  EXPECT_EQ((*terms)["model"], "detector");
  Actor stranger = make_actor(IdentityKind::kNode, "stranger");
  EXPECT_THAT(rental_terms_for(state(), id, stranger.key()).status().message(), HasSubstr("is not a node of rental"));
  nlohmann::json view = rental_state_json(state(), id, *state().rental(id));
  EXPECT_EQ(view["inferences_left"], 8);
  EXPECT_EQ(view["exhausted"], false);

  ASSERT_TRUE(submit(settle(node_, id, 8)).is_ok());
  view = rental_state_json(state(), id, *state().rental(id));
  EXPECT_EQ(view["exhausted"], true);
  EXPECT_THAT(view.value("reason", ""), HasSubstr("prepaid credit exhausted"));
  EXPECT_EQ(view["nodes"][0]["allowance"], 8) << "exhausted: what it settled, nothing more";
  EXPECT_EQ(view["nodes"][1]["allowance"], 3);
}

TEST_F(RentalTest, NoAllowanceWithoutAPrice) {
  start(Economy::kOff, 0);
  Hash id = start_rental(0);
  const Rental* rental = state().rental(id);
  EXPECT_EQ(rental_node_allowance(state(), *rental, rental->nodes[0]), UINT64_MAX);
  auto terms = rental_terms_for(state(), id, node_.key());
  ASSERT_TRUE(terms.is_ok());
  EXPECT_FALSE(terms->contains("prepaid_inferences"));
  EXPECT_TRUE(rental_state_json(state(), id, *rental)["nodes"][0]["allowance"].is_null());
}

}  // namespace
}  // namespace fogline::ledger::testing
