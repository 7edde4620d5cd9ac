#include "ledger/tx/rental_start.h"

#include "crypto/envelope.h"
#include "ledger/encoding.h"

namespace fogline::ledger {

std::string RentalStartTx::encode() const {
  Writer w;
  w.fixed(model);
  w.u64(prepaid);
  w.u32(static_cast<uint32_t>(nodes.size()));
  for (const auto& n : nodes) {
    w.fixed(n.node);
    w.bytes(n.sealed_bundle_key);
  }
  return w.take();
}

Result<std::unique_ptr<TxBody>> RentalStartTx::decode(std::string_view body) {
  auto tx = std::make_unique<RentalStartTx>();
  Reader r(body, "rental_start");
  FOGLINE_TRY(r.fixed(tx->model, "model"));
  FOGLINE_TRY(r.u64(tx->prepaid, "prepaid"));
  uint32_t n;
  FOGLINE_TRY(r.u32(n, "node_count"));
  if (n > r.remaining() / 36) return invalid_argument("rental_start: node_count " + std::to_string(n) + " exceeds the body");
  tx->nodes.resize(n);
  for (auto& node : tx->nodes) {
    FOGLINE_TRY(r.fixed(node.node, "nodes.node"));
    FOGLINE_TRY(r.bytes(node.sealed_bundle_key, "nodes.sealed_bundle_key", 1024));
  }
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status RentalStartTx::check(const State& state, const TxContext& ctx) const {
  const Model* m = state.model(model);
  if (!m) return not_found("no published model " + hash_hex(model));
  if (nodes.empty()) return invalid_argument("a rental names at least one node");
  for (const auto& n : nodes) {
    const Account* a = state.account(n.node);
    if (!a) return not_found("renting node " + short_key(n.node) + " is not a registered account");
    if (a->kind != crypto::IdentityKind::kNode) return invalid_argument("account '" + a->name + "' is not a node");
    if (n.sealed_bundle_key.size() != crypto::kSealedKeyBytes)
      return invalid_argument("bundle key for node '" + a->name + "' is " + std::to_string(n.sealed_bundle_key.size()) +
                              " bytes, expected " + std::to_string(crypto::kSealedKeyBytes));
  }
  if (state.economy != Economy::kCredits) {
    if (prepaid) return invalid_argument("a prepaid rental needs economy = credits; this ledger runs with economy = off");
    return Status::ok();
  }
  if (m->price_per_1000 && prepaid == 0) return invalid_argument("model '" + m->name + "' is priced: prepay credits");
  uint64_t have = state.account(ctx.tx.sender)->balance.value_or(0);
  if (have < prepaid)
    return invalid_argument("insufficient balance: " + short_key(ctx.tx.sender) + " has " + std::to_string(have) +
                            ", the prepayment is " + std::to_string(prepaid));
  return Status::ok();
}

void RentalStartTx::apply(State& state, const TxContext& ctx) const {
  const Model& m = *state.model(model);
  Rental r{model, ctx.tx.sender, m.owner, m.price_per_1000, prepaid, 0, 0, nodes};
  if (prepaid) {
    Account renter = *state.account(ctx.tx.sender);
    renter.balance = *renter.balance - prepaid;
    state.put_account(ctx.tx.sender, std::move(renter));
  }
  state.put_rental(ctx.tx_id, std::move(r));
}

std::string RentalStartTx::describe() const {
  return "model " + hash_hex(model).substr(0, 16) + " on " + std::to_string(nodes.size()) + " nodes, prepaid " +
         std::to_string(prepaid);
}

}  // namespace fogline::ledger
