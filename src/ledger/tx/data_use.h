// data_use (type 12): a training or evaluation run records that it used a dataset (provenance).
// The user must own the dataset or hold a grant for it; with economy = credits the dataset's
// price per use times the uses is paid to its owner.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct DataUseTx : TxBody {
  static constexpr uint16_t kCode = 12;
  Hash dataset{};
  Hash run{};
  std::string purpose;  // "train", "eval", ...
  uint64_t uses = 0;
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
