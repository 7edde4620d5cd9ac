// node_authorize (type 15): an owner allows (or stops allowing) a node to record captured data
// for it. Without it any node could file records in someone else's name.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct NodeAuthorizeTx : TxBody {
  static constexpr uint16_t kCode = 15;
  PublicKey node{};
  bool allowed = true;

  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
