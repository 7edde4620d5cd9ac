// Acting on the ledger under a Fogline home (the market and rental commands): identities come
// from their key files HOME/keys/NAME.key (sealed under $FOGLINE_PASSPHRASE, or by the OS,
// which needs no passphrase) and each transaction takes its sender's next nonce from the state.
// Two ways to order it:
// - solo: the home's embedded orderer puts it into its own durable block;
// - etcd: when the home is a ledger peer's home (HOME/ledger/peer.json) or etcd members are
//   given, the state is rebuilt from the ordered slots exactly as every peer builds it
//   (Chain::make_ordered_block), the transaction is ordered through etcd as one slot (what
//   `fogline ledger submit` does), and reading that slot back says whether it was committed or
//   rejected and why; the local peer, if any, is then awaited until it has the block too.
// Accounts are named by their registered name or their key.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "crypto/identity.h"
#include "ledger/ledger.h"
#include "ledger/ordering.h"

namespace fogline::ledger {

struct OrderingOptions {
  std::string etcd;  // etcd members; empty: the peer's (peer.json), or the solo orderer
  std::string prefix;  // empty: the peer's, else "fogline/ledger/"
};

class HomeSession {
 public:
  // Opens the ledger and (solo) the orderer's key; signing needs FOGLINE_PASSPHRASE (unless the
  // key file is OS-sealed), reading does not.
  static Result<HomeSession> open(const std::string& home, const OrderingOptions& ordering = {});

  const State& state() const { return ledger_ ? ledger_->state() : chain_->state(); }
  bool ordered_by_etcd() const { return ordering_ != nullptr; }
  const std::string& home() const { return home_; }
  const std::string& passphrase() const { return passphrase_; }

  static std::string key_path(const std::string& home, const std::string& name) { return home + "/keys/" + name + ".key"; }
  // HOME/keys/NAME.key; "orderer" is the orderer's (and, with credits, the mint authority's).
  Result<crypto::Identity> identity(const std::string& name) const;
  // Signs `body` as `who` with its next nonce and orders it; the error is the refusal's reason.
  // Through etcd it also prints where it was committed ("committed in slot S, block H").
  Result<Hash> submit(const crypto::Identity& who, uint16_t type, std::string body);

 private:
  HomeSession() = default;
  Status open_ordered(const OrderingOptions& options);
  void wait_for_local_peer(uint64_t slot) const;
  // Builds the blocks of the slots after the in-memory chain's head; up to `until` inclusive
  // (or the end of the log), so `judge` can see a slot's verdict before its block is applied.
  Status catch_up(uint64_t until, const std::function<void(uint64_t, const OrderedBatch&)>& judge = {});
  std::string home_, passphrase_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<crypto::Identity> orderer_;
  // etcd mode
  std::unique_ptr<Chain> chain_;
  std::unique_ptr<EtcdOrdering> ordering_;
  uint64_t next_slot_ = 0;
};

// An account given as 64 hex digits (its key) or as its registered name (which must be unique).
Result<PublicKey> find_account(const State& state, const std::string& name_or_key);
// A dataset by id (64 hex) or unique name; a model by id or unique "name@version" (or name).
Result<Hash> find_dataset(const State& state, const std::string& name_or_id);
Result<Hash> find_model(const State& state, const std::string& name_or_id);
// A name for messages and tables: the account's registered name, else its short key.
std::string account_label(const State& state, const PublicKey& key);

}  // namespace fogline::ledger
