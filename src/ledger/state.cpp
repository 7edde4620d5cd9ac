#include "ledger/state.h"

namespace fogline::ledger {

const char* economy_name(Economy e) { return e == Economy::kCredits ? "credits" : "off"; }

const char* escrow_status_name(EscrowStatus s) {
  switch (s) {
    case EscrowStatus::kOpen: return "open";
    case EscrowStatus::kReleased: return "released";
    case EscrowStatus::kRefunded: return "refunded";
  }
  return "unknown";
}

const Grant* State::grant(const Hash& subject, const PublicKey& grantee) const {
  auto it = grants_.find(std::make_pair(subject, grantee));
  return it == grants_.end() ? nullptr : &it->second;
}

void State::set_genesis(std::string chain, Economy e, const PublicKey& orderer_key, const PublicKey& mint) {
  has_genesis = true;
  chain_name = std::move(chain);
  economy = e;
  orderer = orderer_key;
  mint_authority = mint;
}

void State::begin() {
  journaling_ = true;
  undo_.clear();
  saved_ = Scalars{has_genesis, chain_name, economy, orderer, mint_authority, height, tx_count};
}

void State::commit() {
  journaling_ = false;
  undo_.clear();
  saved_.reset();
}

void State::rollback() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
  undo_.clear();
  journaling_ = false;
  if (saved_) {
    has_genesis = saved_->has_genesis;
    chain_name = saved_->chain_name;
    economy = saved_->economy;
    orderer = saved_->orderer;
    mint_authority = saved_->mint_authority;
    height = saved_->height;
    tx_count = saved_->tx_count;
    saved_.reset();
  }
}

uint64_t State::total_credits() const {
  uint64_t total = 0;
  for (const auto& [k, a] : accounts_) total += a.balance.value_or(0);
  for (const auto& [id, e] : escrows_)
    if (e.status == EscrowStatus::kOpen) total += e.amount;
  for (const auto& [id, r] : rentals_) total += r.prepaid;
  return total;
}

}  // namespace fogline::ledger
