// dataset_create (type 8): the sender lists a dataset it owns, with a price for access and a price
// per use in training or evaluation (both 0 with economy = off). Its id is this transaction's id.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct DatasetCreateTx : TxBody {
  static constexpr uint16_t kCode = 8;
  std::string name;
  uint64_t price = 0;
  uint64_t price_per_use = 0;
  std::string terms;
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
