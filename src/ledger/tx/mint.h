// mint (type 3): the mint authority issues new credits to an account (economy = credits only).
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct MintTx : TxBody {
  static constexpr uint16_t kCode = 3;
  PublicKey to{};
  uint64_t amount = 0;
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
