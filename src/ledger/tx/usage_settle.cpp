#include "ledger/tx/usage_settle.h"

#include "crypto/usage_counter.h"
#include "ledger/encoding.h"

namespace fogline::ledger {

uint64_t rental_owed(uint64_t inferences, uint64_t price_per_1000) {
  unsigned __int128 owed = static_cast<unsigned __int128>(inferences) * price_per_1000 / 1000;
  return owed > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(owed);
}

uint64_t rental_inferences_left(const Rental& r) {
  if (r.price_per_1000 == 0) return UINT64_MAX;
  // owed(n) = floor(n x p / 1000) <= budget  <=>  n x p < (budget + 1) x 1000
  unsigned __int128 budget = static_cast<unsigned __int128>(r.paid) + r.prepaid;
  unsigned __int128 max_total = ((budget + 1) * 1000 - 1) / r.price_per_1000;
  if (max_total <= r.inferences) return 0;
  unsigned __int128 left = max_total - r.inferences;
  return left > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(left);
}

std::string rental_exhausted_reason(const Rental& r) {
  return "prepaid credit exhausted: " + std::to_string(r.prepaid) + " credits left do not pay for one more inference at " +
         std::to_string(r.price_per_1000) + " per 1000 (" + std::to_string(r.inferences) + " inferences settled, " +
         std::to_string(r.paid) + " credits paid); the nodes stop serving the model until the renter prepays a new rental";
}

std::string UsageSettleTx::encode() const {
  Writer w;
  w.fixed(rental);
  w.u64(inferences);
  w.u32(report_count);
  w.u64(first_sequence);
  w.u64(last_sequence);
  w.fixed(reports_root);
  w.bytes(last_report);
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
  // The first layout (format version 1 as session 2 shipped it) ended here. No released command
  // wrote it (docs/formats/ledger.md "Versions"), and without the node's signed report the
  // settlement cannot be checked as today's rules require, so it is refused, saying so.
  if (r.remaining() == 0)
    return invalid_argument("usage_settle: the body ends after reports_root, without last_report: the first usage_settle "
                            "layout, which is not read (no released command wrote it; docs/formats/ledger.md "
                            "\"Versions\")");
  FOGLINE_TRY(r.bytes(tx->last_report, "last_report", 4096));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status UsageSettleTx::check(const State& state, const TxContext& ctx) const {
  const Rental* r = state.rental(rental);
  if (!r) return not_found("no rental " + hash_hex(rental));
  auto report = crypto::decode_usage_counter(last_report);
  if (!report.is_ok()) return report.status();
  const RentalNode* node = nullptr;
  for (const auto& n : r->nodes)
    if (n.node == report->node) node = &n;
  if (!node) return invalid_argument("account " + short_key(report->node) + " is not a node of this rental");
  if (ctx.tx.sender != report->node && ctx.tx.sender != r->renter && ctx.tx.sender != r->owner)
    return invalid_argument("account " + short_key(ctx.tx.sender) +
                             " may not settle this rental (its node, renter or owner may)");
  const Model* m = state.model(r->model);
  if (!m || report->model != m->name || report->version != m->version || report->renter != r->renter)
    return invalid_argument("usage report " + std::to_string(report->sequence) + " is for " + report->model + "@" +
                            report->version + " rented by " + short_key(report->renter) + ", not this rental's model " +
                            (m ? m->name + "@" + m->version : std::string("?")) + " rented by " + short_key(r->renter));
  if (inferences == 0 || report_count == 0) return invalid_argument("a settlement covers at least one report and inference");
  if (first_sequence <= node->settled_sequence)
    return invalid_argument("reports from sequence " + std::to_string(first_sequence) + " were already settled (up to " +
                            std::to_string(node->settled_sequence) + "): a replayed report");
  if (last_sequence < first_sequence || last_sequence - first_sequence + 1 < report_count)
    return invalid_argument("sequences " + std::to_string(first_sequence) + ".." + std::to_string(last_sequence) +
                            " cannot hold " + std::to_string(report_count) + " reports");
  if (report->sequence != last_sequence)
    return invalid_argument("the last report has sequence " + std::to_string(report->sequence) + ", the batch ends at " +
                            std::to_string(last_sequence));
  if (report->inferences < node->settled_inferences)
    return invalid_argument("the node's counter went down: report " + std::to_string(report->sequence) + " says " +
                            std::to_string(report->inferences) + " inferences, " + std::to_string(node->settled_inferences) +
                            " were already settled");
  if (report->inferences - node->settled_inferences != inferences)
    return invalid_argument("the batch claims " + std::to_string(inferences) + " inferences, the node's counter moved by " +
                            std::to_string(report->inferences - node->settled_inferences));
  if (r->inferences + inferences < r->inferences) return out_of_range("inference count overflows");
  if (state.economy != Economy::kCredits) return Status::ok();
  uint64_t due = rental_owed(r->inferences + inferences, r->price_per_1000) - r->paid;
  if (due > r->prepaid)
    return invalid_argument("prepaid credit exhausted: settlement over the escrow: these " + std::to_string(inferences) +
                            " inferences cost " + std::to_string(due) + " credits, the escrow holds " +
                            std::to_string(r->prepaid) + "; stop serving the model until the renter prepays more");
  return Status::ok();
}

void UsageSettleTx::apply(State& state, const TxContext& ctx) const {
  Rental r = *state.rental(rental);
  uint64_t due = 0;
  if (state.economy == Economy::kCredits) due = rental_owed(r.inferences + inferences, r.price_per_1000) - r.paid;
  r.inferences += inferences;
  // check() decoded the report; its node key sits at a fixed distance from the end (before the
  // renter, three u64 and the signature), so apply need not verify the signature again.
  PublicKey reporter{};
  std::copy(last_report.begin() + static_cast<long>(last_report.size() - 64 - 24 - 64), last_report.begin() +
            static_cast<long>(last_report.size() - 64 - 24 - 32), reporter.begin());
  for (auto& n : r.nodes)
    if (n.node == reporter) {
      n.settled_sequence = last_sequence;
      n.settled_inferences += inferences;
    }
  if (due) {
    r.prepaid -= due;
    r.paid += due;
    Account owner = *state.account(r.owner);
    owner.balance = owner.balance.value_or(0) + due;
    state.put_account(r.owner, std::move(owner));
  }
  if (state.economy == Economy::kCredits && rental_inferences_left(r) == 0) r.exhausted = true;
  state.put_rental(rental, std::move(r));
}

std::string UsageSettleTx::describe() const {
  return std::to_string(inferences) + " inferences in " + std::to_string(report_count) + " reports (" +
         std::to_string(first_sequence) + ".." + std::to_string(last_sequence) + ", root " +
         hash_hex(reports_root).substr(0, 16) + ") for rental " + hash_hex(rental).substr(0, 16);
}

}  // namespace fogline::ledger
