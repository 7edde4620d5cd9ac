// rental_start (type 13): a renter rents a published model for some of its nodes. With
// economy = credits it prepays `prepaid` credits, held for the model's owner and paid out by
// usage settlements; with economy = off the rental is a record of who runs which model (prepaid
// must be 0). Each renting node gets the bundle key sealed to its X25519 key (sealed by the
// owner's side, off-chain, and carried here). The rental's id is this transaction's id.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct RentalStartTx : TxBody {
  static constexpr uint16_t kCode = 13;
  Hash model{};
  uint64_t prepaid = 0;
  std::vector<RentalNode> nodes;

  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
