#include "ledger/tx/data_use.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string DataUseTx::encode() const {
  Writer w;
  w.fixed(dataset);
  w.fixed(run);
  w.bytes(purpose);
  w.u64(uses);
  return w.take();
}

Result<std::unique_ptr<TxBody>> DataUseTx::decode(std::string_view body) {
  auto tx = std::make_unique<DataUseTx>();
  Reader r(body, "data_use");
  FOGLINE_TRY(r.fixed(tx->dataset, "dataset"));
  FOGLINE_TRY(r.fixed(tx->run, "run"));
  FOGLINE_TRY(r.bytes(tx->purpose, "purpose", 64));
  FOGLINE_TRY(r.u64(tx->uses, "uses"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

namespace {
uint64_t payment(const State& state, const Dataset& d, const PublicKey& user, uint64_t uses) {
  if (state.economy != Economy::kCredits || user == d.owner) return 0;
  return d.price_per_use * uses;
}
}  // namespace

Status DataUseTx::check(const State& state, const TxContext& ctx) const {
  const Dataset* d = state.dataset(dataset);
  if (!d) return not_found("no dataset " + hash_hex(dataset));
  if (uses == 0) return invalid_argument("data_use with 0 uses");
  if (d->price_per_use && uses > UINT64_MAX / d->price_per_use) return out_of_range("data_use payment overflows");
  const PublicKey& user = ctx.tx.sender;
  if (user != d->owner && !state.grant(dataset, user))
    return invalid_argument("account " + short_key(user) + " holds no grant for dataset '" + d->name + "'");
  uint64_t pay = payment(state, *d, user, uses);
  uint64_t have = state.account(user)->balance.value_or(0);
  if (pay > have)
    return invalid_argument("insufficient balance: " + short_key(user) + " has " + std::to_string(have) + ", " +
                            std::to_string(uses) + " uses of '" + d->name + "' cost " + std::to_string(pay));
  return Status::ok();
}

void DataUseTx::apply(State& state, const TxContext& ctx) const {
  const Dataset& d = *state.dataset(dataset);
  uint64_t pay = payment(state, d, ctx.tx.sender, uses);
  if (pay) {
    PublicKey owner_key = d.owner;
    Account user = *state.account(ctx.tx.sender);
    user.balance = *user.balance - pay;
    state.put_account(ctx.tx.sender, std::move(user));
    Account owner = *state.account(owner_key);
    owner.balance = owner.balance.value_or(0) + pay;
    state.put_account(owner_key, std::move(owner));
  }
  state.put_data_use(ctx.tx_id, DataUse{dataset, ctx.tx.sender, run, purpose, uses, pay});
}

std::string DataUseTx::describe() const {
  return std::to_string(uses) + " uses of dataset " + hash_hex(dataset).substr(0, 16) + " for " + purpose + " run " +
         hash_hex(run).substr(0, 16);
}

}  // namespace fogline::ledger
