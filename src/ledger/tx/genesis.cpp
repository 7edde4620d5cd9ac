#include "ledger/tx/genesis.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string GenesisTx::encode() const {
  Writer w;
  w.bytes(chain_name);
  w.u8(static_cast<uint8_t>(economy));
  w.bytes(orderer_name);
  w.fixed(orderer_box_public);
  w.fixed(mint_authority);
  return w.take();
}

Result<std::unique_ptr<TxBody>> GenesisTx::decode(std::string_view body) {
  auto tx = std::make_unique<GenesisTx>();
  Reader r(body, "genesis");
  uint8_t economy;
  FOGLINE_TRY(r.bytes(tx->chain_name, "chain_name", 256));
  FOGLINE_TRY(r.u8(economy, "economy"));
  if (economy > 1) return invalid_argument("genesis: economy " + std::to_string(economy) + " is neither 0 (off) nor 1 (credits)");
  tx->economy = static_cast<Economy>(economy);
  FOGLINE_TRY(r.bytes(tx->orderer_name, "orderer_name", 256));
  FOGLINE_TRY(r.fixed(tx->orderer_box_public, "orderer_box_public"));
  FOGLINE_TRY(r.fixed(tx->mint_authority, "mint_authority"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status GenesisTx::check(const State& state, const TxContext& ctx) const {
  if (state.has_genesis) return invalid_argument("the chain already has a genesis");
  if (ctx.height != 0) return invalid_argument("genesis outside block 0 (height " + std::to_string(ctx.height) + ")");
  bool mint_zero = is_zero(mint_authority);
  if (economy == Economy::kOff && !mint_zero) return invalid_argument("economy = off has no mint authority");
  if (economy == Economy::kCredits && mint_zero) return invalid_argument("economy = credits needs a mint authority");
  return Status::ok();
}

void GenesisTx::apply(State& state, const TxContext& ctx) const {
  state.set_genesis(chain_name, economy, ctx.tx.sender, mint_authority);
  Account orderer;
  orderer.kind = crypto::IdentityKind::kOrganisation;
  orderer.name = orderer_name;
  orderer.box_public = orderer_box_public;
  if (economy == Economy::kCredits) orderer.balance = 0;
  state.put_account(ctx.tx.sender, std::move(orderer));
}

std::string GenesisTx::describe() const {
  return "chain '" + chain_name + "' economy=" + economy_name(economy) + " orderer '" + orderer_name + "'" +
         (economy == Economy::kCredits ? " mint " + short_key(mint_authority) : "");
}

}  // namespace fogline::ledger
