// usage_settle (type 14): settles a batch of a renting node's signed usage counter reports
// (crypto/usage_counter.h): the count, the Merkle root (RFC 6962) over the reports' encodings, so
// one transaction stands for many reports and any report can later be proven part of it, and the
// batch's last report itself. The state machine checks that report: signed by a node of the
// rental, for the rental's model, version and renter, its sequence the batch's last, and its
// cumulative counter exactly the node's last settled counter plus `inferences` (a counter that
// goes down or a replayed report is refused). The node, the renter or the owner may submit it.
// With economy = credits the owner is paid from the prepayment (the escrow):
// floor(total inferences x price_per_1000 / 1000) minus what was already paid, so batching never
// changes the total. A batch the prepayment cannot cover is refused, saying so; the settlement
// after which the prepayment cannot pay for one more inference marks the rental exhausted.
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
  std::string last_report;  // crypto::UsageCounter encoding of the batch's last report

  std::string encode() const;
  static Result<std::unique_ptr<TxBody>> decode(std::string_view body);
  Status check(const State& state, const TxContext& ctx) const override;
  void apply(State& state, const TxContext& ctx) const override;
  std::string describe() const override;
};

// What the owner is owed in total after `inferences` at `price_per_1000` (128-bit, no overflow).
uint64_t rental_owed(uint64_t inferences, uint64_t price_per_1000);
// How many more inferences the prepayment pays for (UINT64_MAX when the price is 0).
uint64_t rental_inferences_left(const Rental& rental);
// Why a rental is exhausted, for the nodes and `fogline rent usage`.
std::string rental_exhausted_reason(const Rental& rental);

}  // namespace fogline::ledger
