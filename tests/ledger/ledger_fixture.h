// A ledger in a temporary directory with an orderer, a mint authority and helpers that sign
// typed transactions with each actor's next nonce.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

#include "crypto/identity.h"
#include "ledger/ledger.h"
#include "ledger/tx/data_record.h"
#include "ledger/tx/data_use.h"
#include "ledger/tx/dataset_create.h"
#include "ledger/tx/escrow_create.h"
#include "ledger/tx/escrow_refund.h"
#include "ledger/tx/escrow_release.h"
#include "ledger/tx/grant.h"
#include "ledger/tx/mint.h"
#include "ledger/tx/register_account.h"
#include "ledger/tx/transfer.h"

namespace fogline::ledger::testing {

namespace fs = std::filesystem;
using crypto::Identity;
using crypto::IdentityKind;

struct Actor {
  Identity id;
  uint64_t nonce = 0;
  const PublicKey& key() const { return id.sign_public(); }
};

inline std::string unique_temp_dir(const std::string& what) {
  static std::atomic<int> counter{0};
  fs::path p = fs::temp_directory_path() /
               ("fogline-" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

// Rewrites a file in place without fsync, and without truncating first (ext4 flushes a file
// that was truncated and rewritten when it is closed): the fault tests do this hundreds of times.
inline void overwrite(const std::string& path, const std::string& bytes) {
  {
    std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
    ASSERT_TRUE(out.is_open()) << path;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
  }
  if (fs::file_size(path) != bytes.size()) fs::resize_file(path, bytes.size());
}

class LedgerFixture : public ::testing::Test {
 protected:
  void TearDown() override {
    ledger_.reset();
    if (!root_.empty()) fs::remove_all(root_);
  }

  void make_ledger(Economy economy) {
    root_ = unique_temp_dir("ledger");
    dir_ = root_ + "/ledger";
    GenesisTx g;
    g.chain_name = "test";
    g.economy = economy;
    g.orderer_name = "orderer";
    g.orderer_box_public = orderer_.id.box_public();
    if (economy == Economy::kCredits) g.mint_authority = mint_.key();
    auto l = Ledger::create(dir_, g, orderer_.id);
    ASSERT_TRUE(l.is_ok()) << l.status().to_string();
    ledger_ = std::move(l).value();
    orderer_.nonce = 1;
    if (economy == Economy::kCredits) register_actor(mint_, IdentityKind::kOrganisation, "mint");
  }

  Actor make_actor(IdentityKind kind, const std::string& name) { return Actor{Identity::generate(kind, name)}; }

  void register_actor(Actor& a, IdentityKind kind, const std::string& name) {
    RegisterAccountTx r;
    r.kind = kind;
    r.name = name;
    r.box_public = a.id.box_public();
    ASSERT_TRUE(submit(sign(a, r.kCode, r.encode())).is_ok());
  }
  Actor new_account(IdentityKind kind, const std::string& name) {
    Actor a = make_actor(kind, name);
    register_actor(a, kind, name);
    return a;
  }

  Transaction sign(Actor& a, uint16_t type, std::string body) {
    return make_transaction(type, a.id, a.nonce++, std::move(body));
  }

  // Submits one transaction; returns its status.
  Status submit(const Transaction& tx) {
    auto r = ledger_->submit({tx}, orderer_.id);
    if (!r.is_ok()) return r.status();
    return r->statuses[0];
  }

  Transaction mint_tx(const Actor& to, uint64_t amount) {
    MintTx m;
    m.to = to.key();
    m.amount = amount;
    return sign(mint_, m.kCode, m.encode());
  }
  Transaction transfer_tx(Actor& from, const Actor& to, uint64_t amount) {
    TransferTx t;
    t.to = to.key();
    t.amount = amount;
    return sign(from, t.kCode, t.encode());
  }
  Transaction escrow_tx(Actor& payer, const Actor& payee, uint64_t amount, uint64_t refundable_from = 1000) {
    EscrowCreateTx e;
    e.payee = payee.key();
    e.amount = amount;
    e.refundable_from_height = refundable_from;
    return sign(payer, e.kCode, e.encode());
  }
  Transaction dataset_tx(Actor& owner, const std::string& name, uint64_t price = 0, uint64_t per_use = 0) {
    DatasetCreateTx d;
    d.name = name;
    d.price = price;
    d.price_per_use = per_use;
    d.terms = "research only";
    return sign(owner, d.kCode, d.encode());
  }

  uint64_t balance(const Actor& a) const { return state().account(a.key())->balance.value_or(0); }
  const State& state() const { return ledger_->state(); }

  // Everything a refused transaction must not change.
  struct Snapshot {
    uint64_t height, tx_count, total;
    std::vector<std::tuple<std::string, uint64_t, uint64_t>> accounts;
    size_t escrows_open, grants, records, datasets;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot snapshot() const {
    Snapshot s{state().height, state().tx_count, state().total_credits(), {}, 0, state().grants().size(),
               state().records().size(), state().datasets().size()};
    for (const auto& [k, a] : state().accounts()) s.accounts.emplace_back(key_hex(k), a.next_nonce, a.balance.value_or(0));
    std::sort(s.accounts.begin(), s.accounts.end());
    for (const auto& [id, e] : state().escrows()) s.escrows_open += e.status == EscrowStatus::kOpen;
    return s;
  }

  std::string root_, dir_;
  Actor orderer_{Identity::generate(IdentityKind::kOrganisation, "orderer")};
  Actor mint_{Identity::generate(IdentityKind::kOrganisation, "mint")};
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace fogline::ledger::testing
