#include "ledger/tx/node_authorize.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string NodeAuthorizeTx::encode() const {
  Writer w;
  w.fixed(node);
  w.u8(allowed ? 1 : 0);
  return w.take();
}

Result<std::unique_ptr<TxBody>> NodeAuthorizeTx::decode(std::string_view body) {
  auto tx = std::make_unique<NodeAuthorizeTx>();
  Reader r(body, "node_authorize");
  uint8_t allowed;
  FOGLINE_TRY(r.fixed(tx->node, "node"));
  FOGLINE_TRY(r.u8(allowed, "allowed"));
  if (allowed > 1) return invalid_argument("node_authorize: allowed is " + std::to_string(allowed) + ", expected 0 or 1");
  tx->allowed = allowed == 1;
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status NodeAuthorizeTx::check(const State& state, const TxContext& ctx) const {
  const Account* a = state.account(node);
  if (!a) return not_found("node " + short_key(node) + " is not a registered account");
  if (a->kind != crypto::IdentityKind::kNode) return invalid_argument("account '" + a->name + "' is not a node");
  return Status::ok();
}

void NodeAuthorizeTx::apply(State& state, const TxContext& ctx) const {
  state.put_node_authorisation(ctx.tx.sender, node, allowed);
}

std::string NodeAuthorizeTx::describe() const { return std::string(allowed ? "allow" : "revoke") + " node " + short_key(node); }

}  // namespace fogline::ledger
