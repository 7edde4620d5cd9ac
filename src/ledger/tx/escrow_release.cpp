#include "ledger/tx/escrow_release.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string EscrowReleaseTx::encode() const {
  Writer w;
  w.fixed(escrow);
  return w.take();
}

Result<std::unique_ptr<TxBody>> EscrowReleaseTx::decode(std::string_view body) {
  auto tx = std::make_unique<EscrowReleaseTx>();
  Reader r(body, "escrow_release");
  FOGLINE_TRY(r.fixed(tx->escrow, "escrow"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status EscrowReleaseTx::check(const State& state, const TxContext& ctx) const {
  FOGLINE_TRY(require_credits(state, "escrow_release"));
  const Escrow* e = state.escrow(escrow);
  if (!e) return not_found("no escrow " + hash_hex(escrow));
  if (e->status != EscrowStatus::kOpen)
    return invalid_argument("escrow " + hash_hex(escrow).substr(0, 16) + " is already " + escrow_status_name(e->status));
  if (ctx.tx.sender != e->payer)
    return invalid_argument("escrow " + hash_hex(escrow).substr(0, 16) + " belongs to payer " + short_key(e->payer) +
                            "; " + short_key(ctx.tx.sender) + " may not release it");
  return Status::ok();
}

void EscrowReleaseTx::apply(State& state, const TxContext& ctx) const {
  Escrow e = *state.escrow(escrow);
  Account payee = *state.account(e.payee);
  payee.balance = payee.balance.value_or(0) + e.amount;
  state.put_account(e.payee, std::move(payee));
  e.status = EscrowStatus::kReleased;
  state.put_escrow(escrow, e);
}

std::string EscrowReleaseTx::describe() const { return "escrow " + hash_hex(escrow).substr(0, 16); }

}  // namespace fogline::ledger
