// genesis (type 1): the first transaction of block 0, signed by the orderer. Fixes the chain's
// name, its economy (off or credits), the orderer's key and the mint authority, and registers
// the orderer's account.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct GenesisTx : TxBody {
  static constexpr uint16_t kCode = 1;
  std::string chain_name;
  Economy economy = Economy::kOff;
  std::string orderer_name;
  PublicKey orderer_box_public{};
  PublicKey mint_authority{};  // all zero with economy = off

  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
  bool creates_sender() const override { return true; }
};

}  // namespace fogline::ledger
