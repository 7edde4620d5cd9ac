#include "ledger/tx/data_record.h"

#include "crypto/envelope.h"
#include "ledger/encoding.h"

namespace fogline::ledger {

std::string record_signing_bytes(const PublicKey& owner, const Hash& blob_sha256, uint64_t size,
                                 std::string_view sealed_key, std::string_view metadata, const Hash& dataset) {
  Writer w;
  w.raw("fogline-record/1");
  w.fixed(owner);
  w.fixed(blob_sha256);
  w.u64(size);
  w.bytes(sealed_key);
  w.bytes(metadata);
  w.fixed(dataset);
  return w.take();
}

std::string DataRecordTx::encode() const {
  Writer w;
  w.fixed(owner);
  w.fixed(blob_sha256);
  w.u64(size);
  w.bytes(sealed_key);
  w.bytes(metadata);
  w.fixed(dataset);
  w.fixed(record_signature);
  return w.take();
}

Result<std::unique_ptr<TxBody>> DataRecordTx::decode(std::string_view body) {
  auto tx = std::make_unique<DataRecordTx>();
  Reader r(body, "data_record");
  FOGLINE_TRY(r.fixed(tx->owner, "owner"));
  FOGLINE_TRY(r.fixed(tx->blob_sha256, "blob_sha256"));
  FOGLINE_TRY(r.u64(tx->size, "size"));
  FOGLINE_TRY(r.bytes(tx->sealed_key, "sealed_key", 1024));
  FOGLINE_TRY(r.bytes(tx->metadata, "metadata", 1 << 16));
  FOGLINE_TRY(r.fixed(tx->dataset, "dataset"));
  FOGLINE_TRY(r.fixed(tx->record_signature, "record_signature"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status DataRecordTx::check(const State& state, const TxContext& ctx) const {
  FOGLINE_TRY(require_account(state, owner, "record owner"));
  if (ctx.tx.sender != owner && !state.node_authorised(owner, ctx.tx.sender))
    return invalid_argument("node " + short_key(ctx.tx.sender) + " is not authorised to record data for owner " +
                            short_key(owner) + " (the owner sends node_authorize first)");
  if (sealed_key.size() != crypto::kSealedKeyBytes)
    return invalid_argument("sealed key is " + std::to_string(sealed_key.size()) + " bytes, expected " +
                            std::to_string(crypto::kSealedKeyBytes));
  if (!crypto::verify_signature(ctx.tx.sender,
                                record_signing_bytes(owner, blob_sha256, size, sealed_key, metadata, dataset),
                                record_signature))
    return invalid_argument("record signature is not " + short_key(ctx.tx.sender) + "'s signature of this record");
  if (!is_zero(dataset)) {
    const Dataset* d = state.dataset(dataset);
    if (!d) return not_found("no dataset " + hash_hex(dataset));
    if (d->owner != owner)
      return invalid_argument("dataset '" + d->name + "' is owned by " + short_key(d->owner) + ", not by the record's owner " +
                              short_key(owner));
  }
  return Status::ok();
}

void DataRecordTx::apply(State& state, const TxContext& ctx) const {
  state.put_record(ctx.tx_id, DataRecord{owner, ctx.tx.sender, blob_sha256, size, sealed_key, metadata, dataset,
                                         record_signature, ctx.height});
  if (!is_zero(dataset)) {
    Dataset d = *state.dataset(dataset);
    ++d.records;
    state.put_dataset(dataset, std::move(d));
  }
}

std::string DataRecordTx::describe() const {
  return "blob " + hash_hex(blob_sha256).substr(0, 16) + " (" + std::to_string(size) + " bytes) for " +
         short_key(owner) + (is_zero(dataset) ? "" : " in dataset " + hash_hex(dataset).substr(0, 16));
}

}  // namespace fogline::ledger
