// escrow_create (type 5): locks credits of the sender (payer) for a payee; the escrow's id is this
// transaction's id. Released by the payer (or by a grant of the payee), refunded by the payee at
// any time or by the payer from refundable_from_height on.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct EscrowCreateTx : TxBody {
  static constexpr uint16_t kCode = 5;
  PublicKey payee{};
  uint64_t amount = 0;
  uint64_t refundable_from_height = 0;
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
