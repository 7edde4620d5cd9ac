#include "ledger/tx/mint.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string MintTx::encode() const {
  Writer w;
  w.fixed(to);
  w.u64(amount);
  return w.take();
}

Result<std::unique_ptr<TxBody>> MintTx::decode(std::string_view body) {
  auto tx = std::make_unique<MintTx>();
  Reader r(body, "mint");
  FOGLINE_TRY(r.fixed(tx->to, "to"));
  FOGLINE_TRY(r.u64(tx->amount, "amount"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status MintTx::check(const State& state, const TxContext& ctx) const {
  FOGLINE_TRY(require_credits(state, "mint"));
  if (ctx.tx.sender != state.mint_authority)
    return invalid_argument("only the mint authority " + short_key(state.mint_authority) + " may mint, not " +
                            short_key(ctx.tx.sender));
  FOGLINE_TRY(require_account(state, to, "recipient"));
  if (amount == 0) return invalid_argument("mint of 0 credits");
  if (add_overflows(state.total_credits(), amount)) return out_of_range("mint would overflow the credit supply");
  return Status::ok();
}

void MintTx::apply(State& state, const TxContext& ctx) const {
  Account a = *state.account(to);
  a.balance = a.balance.value_or(0) + amount;
  state.put_account(to, std::move(a));
}

std::string MintTx::describe() const { return std::to_string(amount) + " to " + short_key(to); }

}  // namespace fogline::ledger
