// grant (type 10): the owner of a dataset or record gives an account access: the data keys re-wrapped
// to the grantee's X25519 key, and optionally the grantee's escrow, which the grant releases to
// the owner (the data market: payment into escrow, grant, release). Only the owner may grant.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct GrantTx : TxBody {
  static constexpr uint16_t kCode = 10;
  Hash subject{};  // a dataset id or a record id
  PublicKey grantee{};
  std::vector<std::pair<Hash, std::string>> keys;  // record id -> data key sealed to the grantee
  Hash escrow{};  // all zero: none
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
