#include "ledger/home_session.h"

#include <cstdlib>

#include "crypto/key_file.h"
#include "ledger/home.h"

namespace fogline::ledger {

Result<HomeSession> HomeSession::open(const std::string& home) {
  const char* pass = std::getenv("FOGLINE_PASSPHRASE");
  if (!pass || !*pass) return invalid_argument("set FOGLINE_PASSPHRASE: the key files under " + home + "/keys are sealed under it");
  HomeSession s;
  s.home_ = home;
  s.passphrase_ = pass;
  FOGLINE_ASSIGN_OR_RETURN(s.ledger_, open_home_ledger(home));
  if (s.ledger_->chain().ordered_externally())
    return unsupported("the ledger under '" + home + "' is ordered by etcd: order transactions with 'fogline ledger submit'");
  FOGLINE_ASSIGN_OR_RETURN(crypto::Identity orderer, crypto::load_key_file(orderer_key_path(home), pass));
  s.orderer_ = std::make_unique<crypto::Identity>(std::move(orderer));
  return s;
}

Result<crypto::Identity> HomeSession::identity(const std::string& name) const {
  if (name == "orderer") return *orderer_;
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
    return invalid_argument("identity name '" + name + "': expected a plain name (its key file is HOME/keys/NAME.key)");
  return crypto::load_key_file(key_path(home_, name), passphrase_);
}

Result<Hash> HomeSession::submit(const crypto::Identity& who, uint16_t type, std::string body) {
  const Account* account = state().account(who.sign_public());
  Transaction tx = make_transaction(type, who, account ? account->next_nonce : 0, std::move(body));
  FOGLINE_ASSIGN_OR_RETURN(SubmitResult r, ledger_->submit({tx}, *orderer_));
  if (!r.statuses[0].is_ok()) return r.statuses[0];
  return r.ids[0];
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
