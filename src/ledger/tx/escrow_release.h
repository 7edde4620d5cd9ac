// escrow_release (type 6): the payer releases an open escrow to its payee. Nobody else may.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct EscrowReleaseTx : TxBody {
  static constexpr uint16_t kCode = 6;
  Hash escrow{};
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
