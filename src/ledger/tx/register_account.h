// register_account (type 2): an organisation, user or node announces its keys. The sender's
// Ed25519 key is the account id; the X25519 key is where data keys are sealed for it.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct RegisterAccountTx : TxBody {
  static constexpr uint16_t kCode = 2;
  crypto::IdentityKind kind = crypto::IdentityKind::kUser;
  std::string name;
  PublicKey box_public{};

  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
  bool creates_sender() const override { return true; }
};

}  // namespace fogline::ledger
