#include "ledger/tx/usage_settle.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

uint64_t rental_owed(uint64_t inferences, uint64_t price_per_1000) {
  unsigned __int128 owed = static_cast<unsigned __int128>(inferences) * price_per_1000 / 1000;
  return owed > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(owed);
}

std::string UsageSettleTx::encode() const {
  Writer w;
  w.fixed(rental);
  w.u64(inferences);
  w.u32(report_count);
  w.u64(first_sequence);
  w.u64(last_sequence);
  w.fixed(reports_root);
  return w.take();
}

Result<std::unique_ptr<TxBody>> UsageSettleTx::decode(std::string_view body) {
  auto tx = std::make_unique<UsageSettleTx>();
  Reader r(body, "usage_settle");
  FOGLINE_TRY(r.fixed(tx->rental, "rental"));
  FOGLINE_TRY(r.u64(tx->inferences, "inferences"));
  FOGLINE_TRY(r.u32(tx->report_count, "report_count"));
  FOGLINE_TRY(r.u64(tx->first_sequence, "first_sequence"));
  FOGLINE_TRY(r.u64(tx->last_sequence, "last_sequence"));
  FOGLINE_TRY(r.fixed(tx->reports_root, "reports_root"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status UsageSettleTx::check(const State& state, const TxContext& ctx) const {
  const Rental* r = state.rental(rental);
  if (!r) return not_found("no rental " + hash_hex(rental));
  const RentalNode* node = nullptr;
  for (const auto& n : r->nodes)
    if (n.node == ctx.tx.sender) node = &n;
  if (!node) return invalid_argument("account " + short_key(ctx.tx.sender) + " is not a node of this rental");
  if (inferences == 0 || report_count == 0) return invalid_argument("a settlement covers at least one report and inference");
  if (first_sequence <= node->settled_sequence)
    return invalid_argument("reports from sequence " + std::to_string(first_sequence) + " were already settled (up to " +
                            std::to_string(node->settled_sequence) + ")");
  if (last_sequence < first_sequence || last_sequence - first_sequence + 1 < report_count)
    return invalid_argument("sequences " + std::to_string(first_sequence) + ".." + std::to_string(last_sequence) +
                            " cannot hold " + std::to_string(report_count) + " reports");
  if (r->inferences + inferences < r->inferences) return out_of_range("inference count overflows");
  if (state.economy != Economy::kCredits) return Status::ok();
  uint64_t due = rental_owed(r->inferences + inferences, r->price_per_1000) - r->paid;
  if (due > r->prepaid)
    return invalid_argument("prepaid credit exhausted: " + std::to_string(r->prepaid) + " credits left, these " +
                            std::to_string(inferences) + " inferences cost " + std::to_string(due) +
                            "; stop serving the model until the renter prepays more");
  return Status::ok();
}

void UsageSettleTx::apply(State& state, const TxContext& ctx) const {
  Rental r = *state.rental(rental);
  uint64_t due = 0;
  if (state.economy == Economy::kCredits) due = rental_owed(r.inferences + inferences, r.price_per_1000) - r.paid;
  r.inferences += inferences;
  for (auto& n : r.nodes)
    if (n.node == ctx.tx.sender) n.settled_sequence = last_sequence;
  if (due) {
    r.prepaid -= due;
    r.paid += due;
    Account owner = *state.account(r.owner);
    owner.balance = owner.balance.value_or(0) + due;
    state.put_account(r.owner, std::move(owner));
  }
  state.put_rental(rental, std::move(r));
}

std::string UsageSettleTx::describe() const {
  return std::to_string(inferences) + " inferences in " + std::to_string(report_count) + " reports (" +
         std::to_string(first_sequence) + ".." + std::to_string(last_sequence) + ", root " +
         hash_hex(reports_root).substr(0, 16) + ") for rental " + hash_hex(rental).substr(0, 16);
}

}  // namespace fogline::ledger
