// Acting on the ledger under a Fogline home through its embedded solo orderer (the market and
// rental commands): identities come from their key files HOME/keys/NAME.key (sealed under
// $FOGLINE_PASSPHRASE), each transaction takes its sender's next nonce from the state and is
// ordered into its own durable block. Accounts are named by their registered name or their key.
#pragma once

#include <memory>
#include <string>

#include "crypto/identity.h"
#include "ledger/ledger.h"

namespace fogline::ledger {

class HomeSession {
 public:
  // Opens the ledger and the orderer's key; needs FOGLINE_PASSPHRASE.
  static Result<HomeSession> open(const std::string& home);

  Ledger& ledger() { return *ledger_; }
  const State& state() const { return ledger_->state(); }
  const crypto::Identity& orderer() const { return *orderer_; }
  const std::string& home() const { return home_; }
  const std::string& passphrase() const { return passphrase_; }

  static std::string key_path(const std::string& home, const std::string& name) { return home + "/keys/" + name + ".key"; }
  // HOME/keys/NAME.key; "orderer" is the orderer's (and, with credits, the mint authority's).
  Result<crypto::Identity> identity(const std::string& name) const;
  // Signs `body` as `who` with its next nonce and orders it; the error is the refusal's reason.
  Result<Hash> submit(const crypto::Identity& who, uint16_t type, std::string body);

 private:
  HomeSession() = default;
  std::string home_, passphrase_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<crypto::Identity> orderer_;
};

// An account given as 64 hex digits (its key) or as its registered name (which must be unique).
Result<PublicKey> find_account(const State& state, const std::string& name_or_key);
// A dataset by id (64 hex) or unique name; a model by id or unique "name@version" (or name).
Result<Hash> find_dataset(const State& state, const std::string& name_or_id);
Result<Hash> find_model(const State& state, const std::string& name_or_id);
// A name for messages and tables: the account's registered name, else its short key.
std::string account_label(const State& state, const PublicKey& key);

}  // namespace fogline::ledger
