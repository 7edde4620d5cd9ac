#include "ledger/tx/model_publish.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string ModelPublishTx::encode() const {
  Writer w;
  w.bytes(name);
  w.bytes(version);
  w.fixed(bundle_sha256);
  w.u64(price_per_1000);
  return w.take();
}

Result<std::unique_ptr<TxBody>> ModelPublishTx::decode(std::string_view body) {
  auto tx = std::make_unique<ModelPublishTx>();
  Reader r(body, "model_publish");
  FOGLINE_TRY(r.bytes(tx->name, "name", 256));
  FOGLINE_TRY(r.bytes(tx->version, "version", 256));
  FOGLINE_TRY(r.fixed(tx->bundle_sha256, "bundle_sha256"));
  FOGLINE_TRY(r.u64(tx->price_per_1000, "price_per_1000"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status ModelPublishTx::check(const State& state, const TxContext& ctx) const {
  if (name.empty() || version.empty()) return invalid_argument("model name and version must not be empty");
  if (price_per_1000 && state.economy != Economy::kCredits)
    return invalid_argument("model '" + name + "' has a price, but this ledger runs with economy = off");
  return Status::ok();
}

void ModelPublishTx::apply(State& state, const TxContext& ctx) const {
  state.put_model(ctx.tx_id, Model{ctx.tx.sender, name, version, bundle_sha256, price_per_1000});
}

std::string ModelPublishTx::describe() const {
  return "'" + name + "' " + version + " bundle " + hash_hex(bundle_sha256).substr(0, 16) + ", " +
         std::to_string(price_per_1000) + " per 1000";
}

}  // namespace fogline::ledger
