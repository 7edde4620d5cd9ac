#include "ledger/tx/transfer.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string TransferTx::encode() const {
  Writer w;
  w.fixed(to);
  w.u64(amount);
  return w.take();
}

Result<std::unique_ptr<TxBody>> TransferTx::decode(std::string_view body) {
  auto tx = std::make_unique<TransferTx>();
  Reader r(body, "transfer");
  FOGLINE_TRY(r.fixed(tx->to, "to"));
  FOGLINE_TRY(r.u64(tx->amount, "amount"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status TransferTx::check(const State& state, const TxContext& ctx) const {
  FOGLINE_TRY(require_credits(state, "transfer"));
  FOGLINE_TRY(require_account(state, to, "recipient"));
  if (amount == 0) return invalid_argument("transfer of 0 credits");
  if (to == ctx.tx.sender) return invalid_argument("transfer to oneself");
  uint64_t have = state.account(ctx.tx.sender)->balance.value_or(0);
  if (have < amount)
    return invalid_argument("insufficient balance: " + short_key(ctx.tx.sender) + " has " + std::to_string(have) +
                            ", the transfer needs " + std::to_string(amount));
  return Status::ok();
}

void TransferTx::apply(State& state, const TxContext& ctx) const {
  Account from = *state.account(ctx.tx.sender);
  from.balance = *from.balance - amount;
  state.put_account(ctx.tx.sender, std::move(from));
  Account dest = *state.account(to);
  dest.balance = dest.balance.value_or(0) + amount;
  state.put_account(to, std::move(dest));
}

std::string TransferTx::describe() const { return std::to_string(amount) + " to " + short_key(to); }

}  // namespace fogline::ledger
