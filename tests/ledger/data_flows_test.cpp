// Must-show 2: a node's captured record cannot be decrypted with any of the node's keys, can be
// with the owner's, and with a buyer's after the grant. Must-show 6: with economy = off every
// flow that needs no payment works and no balance exists anywhere.
#include <gmock/gmock.h>

#include "core/content_store.h"
#include "crypto/envelope.h"
#include "ledger/data_capture.h"
#include "ledger/tx/node_authorize.h"
#include "ledger/verify.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

using ::testing::HasSubstr;

class DataFlows : public LedgerFixture {
 protected:
  void start(Economy economy) {
    make_ledger(economy);
    register_actor(owner_, IdentityKind::kOrganisation, "acme");
    register_actor(node_, IdentityKind::kNode, "cam-7");
    register_actor(buyer_, IdentityKind::kUser, "buyer");
    NodeAuthorizeTx auth;
    auth.node = node_.key();
    ASSERT_TRUE(submit(sign(owner_, auth.kCode, auth.encode())).is_ok());
    auto store = ContentStore::open(root_ + "/objects");
    ASSERT_TRUE(store.is_ok());
    store_ = std::make_unique<ContentStore>(std::move(store).value());
  }
  // The node captures an item for the owner and records it.
  Hash capture(const std::string& plaintext, const Hash& dataset) {
    auto rec = capture_record(node_.id, owner_.key(), owner_.id.box_public(), plaintext,
                              "camera=cam-7 time=2026-11-25T10:00:00Z detections=2", dataset, *store_);
    EXPECT_TRUE(rec.is_ok()) << rec.status().to_string();
    Transaction tx = sign(node_, DataRecordTx::kCode, rec->tx.encode());
    Status st = submit(tx);
    EXPECT_TRUE(st.is_ok()) << st.to_string();
    return tx.id();
  }
  std::string blob_of(const Hash& record) { return *store_->read(hash_hex(state().record(record)->blob_sha256)); }

  Actor owner_{Identity::generate(IdentityKind::kOrganisation, "acme")};
  Actor node_{Identity::generate(IdentityKind::kNode, "cam-7")};
  Actor buyer_{Identity::generate(IdentityKind::kUser, "buyer")};
  std::unique_ptr<ContentStore> store_;
};

TEST_F(DataFlows, NodeCannotReadOwnerCanBuyerCanAfterPaidGrant) {
  start(Economy::kCredits);
  Transaction ds = dataset_tx(owner_, "entrance-cams", /*price=*/50, /*per_use=*/2);
  ASSERT_TRUE(submit(ds).is_ok());
  const std::string image = "JPEG...person at door, 2 detections";
  Hash rec = capture(image, ds.id());
  Hash rec2 = capture("second frame", ds.id());
  std::string blob = blob_of(rec);
  EXPECT_EQ(blob.find("person at door"), std::string::npos);

  // The node: neither its X25519 key nor its Ed25519 key (as a Curve25519 key) opens the record.
  auto by_node = open_record(state(), rec, blob, node_.id);
  ASSERT_FALSE(by_node.is_ok());
  EXPECT_THAT(by_node.status().message(), HasSubstr("not sealed to 'cam-7'"));
  std::string curve_sk(32, '\0');
  ASSERT_EQ(crypto_sign_ed25519_sk_to_curve25519(reinterpret_cast<unsigned char*>(curve_sk.data()),
                                                 node_.id.sign_secret().data()), 0);
  auto node_as_curve = Identity::from_secrets(IdentityKind::kNode, "cam-7/ed25519", node_.id.sign_secret().view(), curve_sk);
  ASSERT_TRUE(node_as_curve.is_ok());
  EXPECT_FALSE(crypto::open_envelope(blob, state().record(rec)->sealed_key, *node_as_curve).is_ok());

  // The owner can.
  auto by_owner = open_record(state(), rec, blob, owner_.id);
  ASSERT_TRUE(by_owner.is_ok()) << by_owner.status().to_string();
  EXPECT_EQ(*by_owner, image);

  // The buyer cannot, until it pays into escrow and the owner grants (re-wrapping the keys).
  EXPECT_FALSE(open_record(state(), rec, blob, buyer_.id).is_ok());
  ASSERT_TRUE(submit(mint_tx(buyer_, 100)).is_ok());
  Transaction escrow = escrow_tx(buyer_, owner_, 50);
  ASSERT_TRUE(submit(escrow).is_ok());
  EXPECT_EQ(balance(buyer_), 50u);
  // A grant that does not release the escrow is refused for a priced dataset.
  auto unpaid = make_grant(state(), owner_.id, ds.id(), buyer_.key());
  ASSERT_TRUE(unpaid.is_ok());
  EXPECT_THAT(submit(sign(owner_, GrantTx::kCode, unpaid->encode())).message(), HasSubstr("must release"));
  --owner_.nonce;
  auto grant = make_grant(state(), owner_.id, ds.id(), buyer_.key(), escrow.id());
  ASSERT_TRUE(grant.is_ok()) << grant.status().to_string();
  EXPECT_EQ(grant->keys.size(), 2u);
  ASSERT_TRUE(submit(sign(owner_, GrantTx::kCode, grant->encode())).is_ok());
  EXPECT_EQ(balance(owner_), 50u);
  EXPECT_EQ(state().escrow(escrow.id())->status, EscrowStatus::kReleased);
  auto by_buyer = open_record(state(), rec, blob, buyer_.id);
  ASSERT_TRUE(by_buyer.is_ok()) << by_buyer.status().to_string();
  EXPECT_EQ(*by_buyer, image);
  EXPECT_EQ(*open_record(state(), rec2, blob_of(rec2), buyer_.id), "second frame");
  // Still not the node.
  EXPECT_FALSE(open_record(state(), rec, blob, node_.id).is_ok());

  // Each recorded use of the data pays its owner.
  DataUseTx use;
  use.dataset = ds.id();
  use.run = sha256("training run 1");
  use.purpose = "train";
  use.uses = 3;
  ASSERT_TRUE(submit(sign(buyer_, use.kCode, use.encode())).is_ok());
  EXPECT_EQ(balance(owner_), 56u);
  EXPECT_EQ(balance(buyer_), 44u);
  EXPECT_EQ(state().total_credits(), 100u);
  // A non-grantee may not record use of it.
  Actor other = new_account(IdentityKind::kUser, "other");
  EXPECT_THAT(submit(sign(other, use.kCode, use.encode())).message(), HasSubstr("holds no grant"));

  // The whole history verifies.
  ledger_.reset();
  VerifyReport r = verify_ledger(dir_);
  EXPECT_TRUE(r.ok) << r.error;
}

TEST_F(DataFlows, BlobVerifiesAgainstItsRecord) {
  start(Economy::kOff);
  Hash rec = capture("frame", Hash{});
  const DataRecord& r = *state().record(rec);
  std::string blob = blob_of(rec);
  EXPECT_TRUE(verify_blob(r, blob).is_ok());
  std::string bad = blob;
  bad[bad.size() / 2] ^= 1;
  EXPECT_THAT(verify_blob(r, bad).message(), HasSubstr("SHA-256"));
  EXPECT_THAT(verify_blob(r, blob + "x").message(), HasSubstr("bytes"));
  DataRecord forged = r;
  forged.metadata = "camera=cam-9";
  EXPECT_THAT(verify_blob(forged, blob).message(), HasSubstr("signature"));
}

TEST_F(DataFlows, RecordWithForgedNodeSignatureIsRefused) {
  start(Economy::kOff);
  auto rec = capture_record(node_.id, owner_.key(), owner_.id.box_public(), "x", "m", Hash{}, *store_);
  ASSERT_TRUE(rec.is_ok());
  rec->tx.metadata = "altered after signing";
  Snapshot before = snapshot();
  EXPECT_THAT(submit(sign(node_, DataRecordTx::kCode, rec->tx.encode())).message(), HasSubstr("record signature"));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(DataFlows, OnlyAuthorisedNodesRecordForAnOwner) {
  start(Economy::kOff);
  Actor rogue = new_account(IdentityKind::kNode, "rogue-cam");
  auto rec = capture_record(rogue.id, owner_.key(), owner_.id.box_public(), "x", "m", Hash{}, *store_);
  ASSERT_TRUE(rec.is_ok());
  Snapshot before = snapshot();
  EXPECT_THAT(submit(sign(rogue, DataRecordTx::kCode, rec->tx.encode())).message(), HasSubstr("not authorised"));
  --rogue.nonce;
  EXPECT_EQ(snapshot(), before);
  // Authorised, it may; revoked, it may not any more.
  NodeAuthorizeTx auth;
  auth.node = rogue.key();
  ASSERT_TRUE(submit(sign(owner_, auth.kCode, auth.encode())).is_ok());
  ASSERT_TRUE(submit(sign(rogue, DataRecordTx::kCode, rec->tx.encode())).is_ok());
  auth.allowed = false;
  ASSERT_TRUE(submit(sign(owner_, auth.kCode, auth.encode())).is_ok());
  EXPECT_THAT(submit(sign(rogue, DataRecordTx::kCode, rec->tx.encode())).message(), HasSubstr("not authorised"));
  // Only nodes can be authorised.
  auth.node = buyer_.key();
  auth.allowed = true;
  EXPECT_THAT(submit(sign(owner_, auth.kCode, auth.encode())).message(), HasSubstr("is not a node"));
}

TEST_F(DataFlows, EconomyOffProvenanceWorksAndNoBalanceExists) {
  start(Economy::kOff);
  Transaction ds = dataset_tx(owner_, "yard");
  ASSERT_TRUE(submit(ds).is_ok());
  Hash rec = capture("yard frame", ds.id());
  // Grant without payment.
  auto grant = make_grant(state(), owner_.id, ds.id(), buyer_.key());
  ASSERT_TRUE(grant.is_ok());
  ASSERT_TRUE(submit(sign(owner_, GrantTx::kCode, grant->encode())).is_ok());
  EXPECT_EQ(*open_record(state(), rec, blob_of(rec), buyer_.id), "yard frame");
  // Provenance of training data.
  DataUseTx use;
  use.dataset = ds.id();
  use.run = sha256("run-42");
  use.purpose = "train";
  use.uses = 1;
  Transaction use_tx = sign(buyer_, use.kCode, use.encode());
  ASSERT_TRUE(submit(use_tx).is_ok());
  ASSERT_NE(state().data_use(use_tx.id()), nullptr);
  EXPECT_EQ(state().data_use(use_tx.id())->paid, 0u);
  // Provenance is provable: an inclusion proof of the use verifies against the log root.
  auto proof = ledger_->prove(use_tx.id());
  ASSERT_TRUE(proof.is_ok());
  EXPECT_TRUE(verify_inclusion(leaf_hash(proof->tx_bytes), proof->log_index, proof->log_size, proof->path, proof->log_root).is_ok());

  // Nothing that moves credits is accepted, and nothing has a balance.
  Snapshot before = snapshot();
  EXPECT_THAT(submit(transfer_tx(buyer_, owner_, 1)).message(), HasSubstr("economy = off"));
  --buyer_.nonce;
  EXPECT_THAT(submit(escrow_tx(buyer_, owner_, 1)).message(), HasSubstr("economy = off"));
  --buyer_.nonce;
  MintTx m;
  m.to = buyer_.key();
  m.amount = 5;
  EXPECT_THAT(submit(sign(owner_, m.kCode, m.encode())).message(), HasSubstr("economy = off"));
  --owner_.nonce;
  EXPECT_THAT(submit(dataset_tx(owner_, "priced", 10)).message(), HasSubstr("economy = off"));
  EXPECT_EQ(snapshot(), before);
  for (const auto& [key, account] : state().accounts())
    EXPECT_FALSE(account.balance.has_value()) << account.name << " has a balance";
  EXPECT_EQ(state().total_credits(), 0u);
  EXPECT_TRUE(state().escrows().empty());
  EXPECT_EQ(state().economy, Economy::kOff);
}

}  // namespace
}  // namespace fogline::ledger::testing
