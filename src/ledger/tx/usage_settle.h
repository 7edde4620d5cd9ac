// usage_settle (type 14): a renting node settles a batch of metered inferences: the count and the
// Merkle root (RFC 6962) over the signed counter reports it covers, so one transaction stands
// for many reports and any report can later be proven part of it. With economy = credits the
// owner is paid from the prepayment: floor(total inferences x price_per_1000 / 1000) minus what
// was already paid, so batching never changes the total. A batch the prepayment cannot cover is
// refused, saying so: the node must stop serving the model.
#pragma once

#include "ledger/tx_type.h"

namespace fogline::ledger {

struct UsageSettleTx : TxBody {
  static constexpr uint16_t kCode = 14;
  Hash rental{};
  uint64_t inferences = 0;
  uint32_t report_count = 0;
  uint64_t first_sequence = 0, last_sequence = 0;  // of the reports; must follow the last settled
  Hash reports_root{};

  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

// What the owner is owed in total after `inferences` at `price_per_1000` (128-bit, no overflow).
uint64_t rental_owed(uint64_t inferences, uint64_t price_per_1000);

}  // namespace fogline::ledger
