// model_publish (type 11): a model owner publishes a version (the SHA-256 of its bundle) with a
// price per 1,000 inferences for renters (0 with economy = off). Its id is this tx's id.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct ModelPublishTx : TxBody {
  static constexpr uint16_t kCode = 11;
  std::string name, version;
  Hash bundle_sha256{};
  uint64_t price_per_1000 = 0;
  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

}  // namespace fogline::ledger
