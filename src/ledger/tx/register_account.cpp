#include "ledger/tx/register_account.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string RegisterAccountTx::encode() const {
  Writer w;
  w.u8(static_cast<uint8_t>(kind));
  w.bytes(name);
  w.fixed(box_public);
  return w.take();
}

Result<std::unique_ptr<TxBody>> RegisterAccountTx::decode(std::string_view body) {
  auto tx = std::make_unique<RegisterAccountTx>();
  Reader r(body, "register_account");
  uint8_t kind;
  FOGLINE_TRY(r.u8(kind, "kind"));
  if (kind > 2) return invalid_argument("register_account: kind " + std::to_string(kind) + " is not 0..2");
  tx->kind = static_cast<crypto::IdentityKind>(kind);
  FOGLINE_TRY(r.bytes(tx->name, "name", 256));
  FOGLINE_TRY(r.fixed(tx->box_public, "box_public"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status RegisterAccountTx::check(const State& state, const TxContext& ctx) const {
  if (state.account(ctx.tx.sender))
    return invalid_argument("account " + short_key(ctx.tx.sender) + " is already registered");
  if (name.empty()) return invalid_argument("account name is empty");
  return Status::ok();
}

void RegisterAccountTx::apply(State& state, const TxContext& ctx) const {
  Account a;
  a.kind = kind;
  a.name = name;
  a.box_public = box_public;
  if (state.economy == Economy::kCredits) a.balance = 0;
  state.put_account(ctx.tx.sender, std::move(a));
}

std::string RegisterAccountTx::describe() const {
  return std::string(crypto::identity_kind_name(kind)) + " '" + name + "'";
}

}  // namespace fogline::ledger
