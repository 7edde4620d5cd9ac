// escrow_refund (type 7): an open escrow goes back to its payer; sent by the payee (declining) at
// any time, or by the payer once the block height reaches refundable_from_height.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct EscrowRefundTx : TxBody {
  static constexpr uint16_t kCode = 7;
  Hash escrow{};
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
