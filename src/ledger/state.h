// The ledger's state: what replaying every block from genesis yields, and nothing else (no
// clock, no randomness, no local configuration), so every peer that applies the same blocks
// holds the same state. Transactions change it only through the put_* functions, which keep an
// undo journal while a block is applied: a block that fails half-way leaves the state exactly
// as it was.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/identity.h"
#include "ledger/merkle.h"
#include "ledger/transaction.h"

namespace fogline::ledger {

enum class Economy : uint8_t { kOff = 0, kCredits = 1 };
const char* economy_name(Economy e);

struct Account {
  crypto::IdentityKind kind = crypto::IdentityKind::kUser;
  std::string name;
  PublicKey box_public{};
  uint64_t next_nonce = 0;
  // Present only when economy = credits: with economy = off no balance exists at all.
  std::optional<uint64_t> balance;
};

enum class EscrowStatus : uint8_t { kOpen = 0, kReleased = 1, kRefunded = 2 };
const char* escrow_status_name(EscrowStatus s);

struct Escrow {
  PublicKey payer{}, payee{};
  uint64_t amount = 0;
  uint64_t refundable_from_height = 0;  // the payer may take it back from this block height on
  EscrowStatus status = EscrowStatus::kOpen;
};

struct DataRecord {
  PublicKey owner{}, node{};
  Hash blob_sha256{};
  uint64_t size = 0;
  std::string sealed_key;  // the data key sealed to the owner
  std::string metadata;    // capture metadata (camera, time, detections summary), as the node wrote it
  Hash dataset{};          // all zero: in no dataset
  Signature record_signature{};
  uint64_t height = 0;
};

struct Dataset {
  PublicKey owner{};
  std::string name, terms;
  uint64_t price = 0;          // credits for a grant; 0 with economy = off
  uint64_t price_per_use = 0;  // credits per use in a training or evaluation run
  uint64_t records = 0;
};

struct Grant {
  Hash subject{};  // a dataset or a record
  PublicKey grantee{};
  Hash grant_tx{};
  std::vector<std::pair<Hash, std::string>> keys;  // record id -> data key sealed to the grantee
};

struct Model {
  PublicKey owner{};
  std::string name, version;
  Hash bundle_sha256{};
  uint64_t price_per_1000 = 0;
};

struct DataUse {
  Hash dataset{};
  PublicKey user{};
  Hash run{};
  std::string purpose;
  uint64_t uses = 0;
  uint64_t paid = 0;
};

struct RentalNode {
  PublicKey node{};
  std::string sealed_bundle_key;  // the model bundle's key sealed to the node's X25519 key
  uint64_t settled_sequence = 0;  // the last usage report sequence this node has settled
  uint64_t settled_inferences = 0;  // that report's cumulative inference counter
};

struct Rental {
  Hash model{};
  PublicKey renter{}, owner{};
  uint64_t price_per_1000 = 0;  // fixed when the rental starts
  uint64_t prepaid = 0;         // credits still held for the owner (0 with economy = off)
  uint64_t inferences = 0;      // settled so far
  uint64_t paid = 0;            // credits paid to the owner so far
  std::vector<RentalNode> nodes;
  // Set by the settlement after which the prepayment cannot pay for one more inference: the
  // nodes must stop serving the model (economy = credits only).
  bool exhausted = false;
};

struct KeyHasher {
  size_t operator()(const std::array<unsigned char, 32>& k) const {
    size_t h;
    std::memcpy(&h, k.data(), sizeof h);
    return h;
  }
};

class State {
 public:
  // Set by the genesis transaction.
  bool has_genesis = false;
  std::string chain_name;
  Economy economy = Economy::kOff;
  PublicKey orderer{}, mint_authority{};

  uint64_t height = 0;  // blocks applied
  uint64_t tx_count = 0;

  const Account* account(const PublicKey& k) const { return find(accounts_, k); }
  const Escrow* escrow(const Hash& id) const { return find(escrows_, id); }
  const DataRecord* record(const Hash& id) const { return find(records_, id); }
  const Dataset* dataset(const Hash& id) const { return find(datasets_, id); }
  const Model* model(const Hash& id) const { return find(models_, id); }
  const Grant* grant(const Hash& subject, const PublicKey& grantee) const;
  const DataUse* data_use(const Hash& tx) const { return find(uses_, tx); }
  const Rental* rental(const Hash& id) const { return find(rentals_, id); }
  // True when `owner` has authorised `node` to record captured data for it.
  bool node_authorised(const PublicKey& owner, const PublicKey& node) const {
    auto it = node_grants_.find(std::make_pair(owner, node));
    return it != node_grants_.end() && it->second;
  }

  const std::unordered_map<PublicKey, Account, KeyHasher>& accounts() const { return accounts_; }
  const std::map<Hash, Escrow>& escrows() const { return escrows_; }
  const std::map<Hash, DataRecord>& records() const { return records_; }
  const std::map<Hash, Dataset>& datasets() const { return datasets_; }
  const std::map<Hash, Model>& models() const { return models_; }
  const std::map<std::pair<Hash, PublicKey>, Grant>& grants() const { return grants_; }
  const std::map<Hash, DataUse>& data_uses() const { return uses_; }
  const std::map<Hash, Rental>& rentals() const { return rentals_; }

  void put_account(const PublicKey& k, Account a) { put(accounts_, k, std::move(a)); }
  void put_escrow(const Hash& id, Escrow e) { put(escrows_, id, std::move(e)); }
  void put_record(const Hash& id, DataRecord r) { put(records_, id, std::move(r)); }
  void put_dataset(const Hash& id, Dataset d) { put(datasets_, id, std::move(d)); }
  void put_model(const Hash& id, Model m) { put(models_, id, std::move(m)); }
  void put_grant(Grant g) { put(grants_, std::make_pair(g.subject, g.grantee), std::move(g)); }
  void put_data_use(const Hash& tx, DataUse u) { put(uses_, tx, std::move(u)); }
  void put_rental(const Hash& id, Rental r) { put(rentals_, id, std::move(r)); }
  void put_node_authorisation(const PublicKey& owner, const PublicKey& node, bool allowed) {
    put(node_grants_, std::make_pair(owner, node), allowed);
  }
  void set_genesis(std::string chain, Economy e, const PublicKey& orderer_key, const PublicKey& mint);

  // Journal around a block: begin, then commit or roll back everything put since.
  void begin();
  void commit();
  void rollback();

  // Total credits in existence (balances, open escrows, rental prepayments); constant under transfers and
  // escrows, changed only by mints. Used by tests to show nothing was created or destroyed.
  uint64_t total_credits() const;

 private:
  template <typename Map, typename Key>
  static const typename Map::mapped_type* find(const Map& m, const Key& k) {
    auto it = m.find(k);
    return it == m.end() ? nullptr : &it->second;
  }
  template <typename Map, typename Key, typename Value>
  void put(Map& m, const Key& k, Value v) {
    auto it = m.find(k);
    if (journaling_) {
      if (it == m.end()) {
        undo_.push_back([&m, k] { m.erase(k); });
      } else {
        undo_.push_back([&m, k, old = it->second] { m[k] = old; });
      }
    }
    if (it == m.end()) {
      m.emplace(k, std::move(v));
    } else {
      it->second = std::move(v);
    }
  }

  std::unordered_map<PublicKey, Account, KeyHasher> accounts_;
  std::map<Hash, Escrow> escrows_;
  std::map<Hash, DataRecord> records_;
  std::map<Hash, Dataset> datasets_;
  std::map<Hash, Model> models_;
  std::map<std::pair<Hash, PublicKey>, Grant> grants_;
  std::map<Hash, DataUse> uses_;
  std::map<Hash, Rental> rentals_;
  std::map<std::pair<PublicKey, PublicKey>, bool> node_grants_;  // (owner, node) -> may record

  bool journaling_ = false;
  std::vector<std::function<void()>> undo_;
  struct Scalars {
    bool has_genesis;
    std::string chain_name;
    Economy economy;
    PublicKey orderer, mint_authority;
    uint64_t height, tx_count;
  };
  std::optional<Scalars> saved_;
};

}  // namespace fogline::ledger
