#include "ledger/tx/escrow_create.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string EscrowCreateTx::encode() const {
  Writer w;
  w.fixed(payee);
  w.u64(amount);
  w.u64(refundable_from_height);
  return w.take();
}

Result<std::unique_ptr<TxBody>> EscrowCreateTx::decode(std::string_view body) {
  auto tx = std::make_unique<EscrowCreateTx>();
  Reader r(body, "escrow_create");
  FOGLINE_TRY(r.fixed(tx->payee, "payee"));
  FOGLINE_TRY(r.u64(tx->amount, "amount"));
  FOGLINE_TRY(r.u64(tx->refundable_from_height, "refundable_from_height"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status EscrowCreateTx::check(const State& state, const TxContext& ctx) const {
  FOGLINE_TRY(require_credits(state, "escrow_create"));
  FOGLINE_TRY(require_account(state, payee, "payee"));
  if (amount == 0) return invalid_argument("escrow of 0 credits");
  if (payee == ctx.tx.sender) return invalid_argument("escrow to oneself");
  uint64_t have = state.account(ctx.tx.sender)->balance.value_or(0);
  if (have < amount)
    return invalid_argument("insufficient balance: " + short_key(ctx.tx.sender) + " has " + std::to_string(have) +
                            ", the escrow needs " + std::to_string(amount));
  return Status::ok();
}

void EscrowCreateTx::apply(State& state, const TxContext& ctx) const {
  Account payer = *state.account(ctx.tx.sender);
  payer.balance = *payer.balance - amount;
  state.put_account(ctx.tx.sender, std::move(payer));
  state.put_escrow(ctx.tx_id, Escrow{ctx.tx.sender, payee, amount, refundable_from_height, EscrowStatus::kOpen});
}

std::string EscrowCreateTx::describe() const {
  return std::to_string(amount) + " for " + short_key(payee) + ", refundable from height " +
         std::to_string(refundable_from_height);
}

}  // namespace fogline::ledger
