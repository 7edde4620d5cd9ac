#include "ledger/home_session.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "crypto/key_file.h"
#include "ledger/home.h"
#include "ledger/peer.h"

namespace fogline::ledger {

Result<HomeSession> HomeSession::open(const std::string& home, const OrderingOptions& ordering) {
  // Reading needs no passphrase; signing does (identity() says so).
  const char* pass = std::getenv("FOGLINE_PASSPHRASE");
  HomeSession s;
  s.home_ = home;
  s.passphrase_ = pass ? pass : "";
  if (!ordering.etcd.empty() || std::filesystem::exists(Peer::status_path(home))) {
    FOGLINE_TRY(s.open_ordered(ordering));
    return s;
  }
  FOGLINE_ASSIGN_OR_RETURN(s.ledger_, open_home_ledger(home));
  if (s.ledger_->chain().ordered_externally())
    return unsupported("the ledger under '" + home + "' is ordered by etcd: order transactions with 'fogline ledger submit'");
  // Without a passphrase only an OS-sealed orderer key can be opened (it needs none).
  if (s.passphrase_.empty() && !crypto::opens_without_passphrase(orderer_key_path(home))) return s;
  FOGLINE_ASSIGN_OR_RETURN(crypto::Identity orderer, crypto::load_key_file(orderer_key_path(home), s.passphrase_));
  s.orderer_ = std::make_unique<crypto::Identity>(std::move(orderer));
  return s;
}

Status HomeSession::open_ordered(const OrderingOptions& options) {
  std::string endpoints = options.etcd, prefix = options.prefix;
  std::string status_path = Peer::status_path(home_);
  if (std::filesystem::exists(status_path) && (endpoints.empty() || prefix.empty())) {
    FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(status_path));
    try {
      nlohmann::json j = nlohmann::json::parse(text);
      if (endpoints.empty()) endpoints = j.value("endpoints", "");
      if (prefix.empty()) prefix = j.value("prefix", "");
    } catch (const std::exception& e) {
      return invalid_argument(status_path + ": not JSON (" + e.what() + ")");
    }
  }
  if (endpoints.empty())
    return invalid_argument("the ledger peer's status " + status_path + " names no etcd members; give --etcd http://host:port");
  if (prefix.empty()) prefix = "fogline/ledger/";
  FOGLINE_ASSIGN_OR_RETURN(EtcdClient client, EtcdClient::connect(endpoints));
  ordering_ = std::make_unique<EtcdOrdering>(std::move(client), prefix);
  chain_ = std::make_unique<Chain>();
  FOGLINE_TRY(catch_up(UINT64_MAX));
  if (!chain_->state().has_genesis)
    return not_found("etcd has no genesis under '" + prefix + "' (start the chain with 'fogline ledger peer init')");
  return Status::ok();
}

Status HomeSession::catch_up(uint64_t until, const std::function<void(uint64_t, const OrderedBatch&)>& judge) {
  while (next_slot_ <= until) {
    FOGLINE_ASSIGN_OR_RETURN(auto slots, ordering_->read(next_slot_, 256));
    if (slots.empty()) break;
    for (const auto& s : slots) {
      if (s.slot > until) return Status::ok();
      next_slot_ = s.slot + 1;
      auto batch = decode_batch(s.value);
      // Skipped by every peer alike (peer.cpp): not a batch, or an empty one.
      if (!batch.is_ok() || batch->txs.empty()) continue;
      if (judge) judge(s.slot, *batch);
      Block block = chain_->make_ordered_block(s.slot, batch->timestamp_ms, batch->txs);
      Status st = chain_->apply_block(block);
      if (!st.is_ok()) return internal_error("slot " + std::to_string(s.slot) + ": " + st.message());
    }
  }
  return Status::ok();
}

Result<crypto::Identity> HomeSession::identity(const std::string& name) const {
  if (name == "orderer") {
    if (!orderer_ && passphrase_.empty())
      return invalid_argument("set FOGLINE_PASSPHRASE: the key files under " + home_ + "/keys are sealed under it");
    if (!orderer_) return invalid_argument("an etcd-ordered chain has no orderer key; act as an account (its founder: --as founder)");
    return *orderer_;
  }
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
    return invalid_argument("identity name '" + name + "': expected a plain name (its key file is HOME/keys/NAME.key)");
  if (passphrase_.empty() && !crypto::opens_without_passphrase(key_path(home_, name)))
    return invalid_argument("set FOGLINE_PASSPHRASE: the key files under " + home_ + "/keys are sealed under it");
  return crypto::load_key_file(key_path(home_, name), passphrase_);
}

Result<Hash> HomeSession::submit(const crypto::Identity& who, uint16_t type, std::string body) {
  const Account* account = state().account(who.sign_public());
  Transaction tx = make_transaction(type, who, account ? account->next_nonce : 0, std::move(body));
  if (ordering_) {
    // Catch up first: the nonce above is only right if no later slot moved it.
    FOGLINE_TRY(catch_up(UINT64_MAX));
    const Account* now = state().account(who.sign_public());
    if ((now ? now->next_nonce : 0) != tx.nonce) tx = make_transaction(type, who, now ? now->next_nonce : 0, tx.body);
    std::string bytes = tx.encode();
    Hash id = tx.id();
    FOGLINE_ASSIGN_OR_RETURN(uint64_t slot, ordering_->append(encode_batch(OrderedBatch{now_ms(), {bytes}})));
    // The slot holds this one transaction: judging it on the state before the slot gives the
    // peers' verdict and its reason (they record only that it was rejected).
    Status verdict = internal_error("slot " + std::to_string(slot) + " was not read back");
    FOGLINE_TRY(catch_up(slot, [&](uint64_t s, const OrderedBatch& batch) {
      if (s != slot) return;
      std::vector<Transaction> txs;
      for (const auto& b : batch.txs) {
        auto t = Transaction::decode(b);
        if (!t.is_ok()) return;
        txs.push_back(std::move(t).value());
      }
      std::vector<char> sig_ok(txs.size(), -1);
      for (size_t i = 0; i < txs.size(); ++i) sig_ok[i] = txs[i].signature_valid();
      std::vector<Status> st = chain_->dry_run(txs, batch.txs, sig_ok);
      for (size_t i = 0; i < txs.size(); ++i)
        if (txs[i].id() == id) verdict = st[i];
    }));
    const TxLocation* at = chain_->find_tx(id);
    if (!verdict.is_ok() || !at) {
      std::fprintf(stderr, "rejected in slot %llu\n", (unsigned long long)slot);
      return verdict.is_ok() ? internal_error("transaction " + hash_hex(id) + " is not in the block of slot " + std::to_string(slot))
                             : verdict;
    }
    std::printf("committed in slot %llu, block %llu\n", (unsigned long long)slot, (unsigned long long)at->height);
    wait_for_local_peer(slot);
    return id;
  }
  if (!orderer_) return invalid_argument("set FOGLINE_PASSPHRASE: the orderer's key under " + home_ + "/keys is sealed under it");
  FOGLINE_ASSIGN_OR_RETURN(SubmitResult r, ledger_->submit({tx}, *orderer_));
  if (!r.statuses[0].is_ok()) return r.statuses[0];
  return r.ids[0];
}

void HomeSession::wait_for_local_peer(uint64_t slot) const {
  std::string path = Peer::status_path(home_);
  if (!std::filesystem::exists(path)) return;
  // A running peer builds the same block soon; a stopped one catches up when it starts.
  for (int i = 0; i < 100; ++i) {
    auto text = read_file(path);
    if (text.is_ok()) {
      try {
        if (nlohmann::json::parse(*text).value("next_slot", uint64_t{0}) > slot) {
          std::printf("the local peer has it\n");
          return;
        }
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::printf("the local peer has not built slot %llu yet (is 'fogline ledger peer run' running?)\n",
              (unsigned long long)slot);
}

Result<PublicKey> find_account(const State& state, const std::string& name_or_key) {
  if (name_or_key.size() == 64) {
    auto h = hash_from_hex(name_or_key, "account key");
    if (h.is_ok()) {
      PublicKey k;
      std::copy(h->begin(), h->end(), k.begin());
      if (!state.account(k)) return not_found("no account " + name_or_key + " on the ledger");
      return k;
    }
  }
  const PublicKey* found = nullptr;
  for (const auto& [key, account] : state.accounts()) {
    if (account.name != name_or_key) continue;
    if (found) return invalid_argument("two accounts are named '" + name_or_key + "'; give the key (64 hex) instead");
    found = &key;
  }
  if (!found) return not_found("no account named '" + name_or_key + "' (see 'fogline ledger accounts')");
  return *found;
}

namespace {

// An id when `text` is 64 hex digits naming an entry of `table`, else the one entry `matches`.
template <typename Table, typename Match>
Result<Hash> find_entry(const Table& table, const std::string& text, const char* what, Match matches) {
  if (text.size() == 64) {
    auto h = hash_from_hex(text, what);
    if (h.is_ok()) {
      if (!table.count(*h)) return not_found(std::string("no ") + what + " " + text + " on the ledger");
      return *h;
    }
  }
  const Hash* found = nullptr;
  for (const auto& [id, entry] : table) {
    if (!matches(entry)) continue;
    if (found) return invalid_argument(std::string("several ") + what + "s match '" + text + "'; give the id (64 hex)");
    found = &id;
  }
  if (!found) return not_found(std::string("no ") + what + " '" + text + "' on the ledger");
  return *found;
}

}  // namespace

Result<Hash> find_dataset(const State& state, const std::string& name_or_id) {
  return find_entry(state.datasets(), name_or_id, "dataset", [&](const Dataset& d) { return d.name == name_or_id; });
}

Result<Hash> find_model(const State& state, const std::string& name_or_id) {
  return find_entry(state.models(), name_or_id, "model", [&](const Model& m) {
    return m.name + "@" + m.version == name_or_id || m.name == name_or_id;
  });
}

std::string account_label(const State& state, const PublicKey& key) {
  const Account* a = state.account(key);
  return a && !a->name.empty() ? a->name : short_key(key);
}

}  // namespace fogline::ledger
