#include "ledger/tx/escrow_refund.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string EscrowRefundTx::encode() const {
  Writer w;
  w.fixed(escrow);
  return w.take();
}

Result<std::unique_ptr<TxBody>> EscrowRefundTx::decode(std::string_view body) {
  auto tx = std::make_unique<EscrowRefundTx>();
  Reader r(body, "escrow_refund");
  FOGLINE_TRY(r.fixed(tx->escrow, "escrow"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status EscrowRefundTx::check(const State& state, const TxContext& ctx) const {
  FOGLINE_TRY(require_credits(state, "escrow_refund"));
  const Escrow* e = state.escrow(escrow);
  if (!e) return not_found("no escrow " + hash_hex(escrow));
  std::string id = hash_hex(escrow).substr(0, 16);
  if (e->status != EscrowStatus::kOpen)
    return invalid_argument("escrow " + id + " is already " + escrow_status_name(e->status));
  if (ctx.tx.sender == e->payee) return Status::ok();
  if (ctx.tx.sender == e->payer) {
    if (ctx.height < e->refundable_from_height)
      return invalid_argument("escrow " + id + " is refundable to its payer from height " +
                              std::to_string(e->refundable_from_height) + ", this is height " + std::to_string(ctx.height));
    return Status::ok();
  }
  return invalid_argument("escrow " + id + " is between " + short_key(e->payer) + " and " + short_key(e->payee) +
                          "; " + short_key(ctx.tx.sender) + " may not refund it");
}

void EscrowRefundTx::apply(State& state, const TxContext& ctx) const {
  Escrow e = *state.escrow(escrow);
  Account payer = *state.account(e.payer);
  payer.balance = payer.balance.value_or(0) + e.amount;
  state.put_account(e.payer, std::move(payer));
  e.status = EscrowStatus::kRefunded;
  state.put_escrow(escrow, e);
}

std::string EscrowRefundTx::describe() const { return "escrow " + hash_hex(escrow).substr(0, 16); }

}  // namespace fogline::ledger
