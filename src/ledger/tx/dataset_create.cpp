#include "ledger/tx/dataset_create.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string DatasetCreateTx::encode() const {
  Writer w;
  w.bytes(name);
  w.u64(price);
  w.u64(price_per_use);
  w.bytes(terms);
  return w.take();
}

Result<std::unique_ptr<TxBody>> DatasetCreateTx::decode(std::string_view body) {
  auto tx = std::make_unique<DatasetCreateTx>();
  Reader r(body, "dataset_create");
  FOGLINE_TRY(r.bytes(tx->name, "name", 256));
  FOGLINE_TRY(r.u64(tx->price, "price"));
  FOGLINE_TRY(r.u64(tx->price_per_use, "price_per_use"));
  FOGLINE_TRY(r.bytes(tx->terms, "terms", 1 << 16));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status DatasetCreateTx::check(const State& state, const TxContext& ctx) const {
  if (name.empty()) return invalid_argument("dataset name is empty");
  if ((price || price_per_use) && state.economy != Economy::kCredits)
    return invalid_argument("dataset '" + name + "' has a price, but this ledger runs with economy = off");
  return Status::ok();
}

void DatasetCreateTx::apply(State& state, const TxContext& ctx) const {
  state.put_dataset(ctx.tx_id, Dataset{ctx.tx.sender, name, terms, price, price_per_use, 0});
}

std::string DatasetCreateTx::describe() const {
  return "'" + name + "' price " + std::to_string(price) + ", per use " + std::to_string(price_per_use);
}

}  // namespace fogline::ledger
