#include "ledger/tx/grant.h"

#include "crypto/envelope.h"
#include "ledger/encoding.h"

namespace fogline::ledger {

std::string GrantTx::encode() const {
  Writer w;
  w.fixed(subject);
  w.fixed(grantee);
  w.u32(static_cast<uint32_t>(keys.size()));
  for (const auto& [record, key] : keys) {
    w.fixed(record);
    w.bytes(key);
  }
  w.fixed(escrow);
  return w.take();
}

Result<std::unique_ptr<TxBody>> GrantTx::decode(std::string_view body) {
  auto tx = std::make_unique<GrantTx>();
  Reader r(body, "grant");
  FOGLINE_TRY(r.fixed(tx->subject, "subject"));
  FOGLINE_TRY(r.fixed(tx->grantee, "grantee"));
  uint32_t n;
  FOGLINE_TRY(r.u32(n, "key_count"));
  // Each entry takes at least 36 bytes: a count beyond what is left is a lie, not a reason to allocate.
  if (n > r.remaining() / 36) return invalid_argument("grant: key_count " + std::to_string(n) + " exceeds the body");
  tx->keys.resize(n);
  for (auto& [record, key] : tx->keys) {
    FOGLINE_TRY(r.fixed(record, "keys.record"));
    FOGLINE_TRY(r.bytes(key, "keys.sealed_key", 1024));
  }
  FOGLINE_TRY(r.fixed(tx->escrow, "escrow"));
  FOGLINE_TRY(r.finish());
  return std::unique_ptr<TxBody>(std::move(tx));
}

Status GrantTx::check(const State& state, const TxContext& ctx) const {
  const PublicKey& sender = ctx.tx.sender;
  const Dataset* dataset = state.dataset(subject);
  const DataRecord* record = dataset ? nullptr : state.record(subject);
  if (!dataset && !record) return not_found("grant subject " + hash_hex(subject) + " is neither a dataset nor a record");
  const PublicKey& owner = dataset ? dataset->owner : record->owner;
  if (owner != sender)
    return invalid_argument("only the owner may grant: " + std::string(dataset ? "dataset" : "record") + " " +
                            hash_hex(subject).substr(0, 16) + " is owned by " + short_key(owner) + ", not by " +
                            short_key(sender));
  FOGLINE_TRY(require_account(state, grantee, "grantee"));
  if (grantee == sender) return invalid_argument("grant to oneself");
  if (state.grant(subject, grantee))
    return invalid_argument("account " + short_key(grantee) + " already holds a grant for " + hash_hex(subject).substr(0, 16));
  for (const auto& [id, key] : keys) {
    const DataRecord* r = state.record(id);
    if (!r) return not_found("grant key for unknown record " + hash_hex(id));
    bool covered = dataset ? r->dataset == subject : id == subject;
    if (!covered) return invalid_argument("record " + hash_hex(id).substr(0, 16) + " is not part of the granted subject");
    if (key.size() != crypto::kSealedKeyBytes)
      return invalid_argument("re-wrapped key for record " + hash_hex(id).substr(0, 16) + " is " +
                              std::to_string(key.size()) + " bytes, expected " + std::to_string(crypto::kSealedKeyBytes));
  }
  uint64_t price = dataset ? dataset->price : 0;
  if (is_zero(escrow)) {
    if (price > 0 && state.economy == Economy::kCredits)
      return invalid_argument("dataset '" + dataset->name + "' costs " + std::to_string(price) +
                              " credits: the grant must release the grantee's escrow");
    return Status::ok();
  }
  FOGLINE_TRY(require_credits(state, "a grant with an escrow"));
  const Escrow* e = state.escrow(escrow);
  std::string eid = hash_hex(escrow).substr(0, 16);
  if (!e) return not_found("no escrow " + hash_hex(escrow));
  if (e->status != EscrowStatus::kOpen) return invalid_argument("escrow " + eid + " is already " + escrow_status_name(e->status));
  if (e->payer != grantee || e->payee != sender)
    return invalid_argument("escrow " + eid + " is from " + short_key(e->payer) + " to " + short_key(e->payee) +
                            ", not from the grantee to the owner");
  if (e->amount < price)
    return invalid_argument("escrow " + eid + " holds " + std::to_string(e->amount) + " credits, the dataset costs " +
                            std::to_string(price));
  return Status::ok();
}

void GrantTx::apply(State& state, const TxContext& ctx) const {
  state.put_grant(Grant{subject, grantee, ctx.tx_id, keys});
  if (!is_zero(escrow)) {
    Escrow e = *state.escrow(escrow);
    Account owner = *state.account(e.payee);
    owner.balance = owner.balance.value_or(0) + e.amount;
    state.put_account(e.payee, std::move(owner));
    e.status = EscrowStatus::kReleased;
    state.put_escrow(escrow, e);
  }
}

std::string GrantTx::describe() const {
  return hash_hex(subject).substr(0, 16) + " to " + short_key(grantee) + ", " + std::to_string(keys.size()) + " keys" +
         (is_zero(escrow) ? "" : ", releasing escrow " + hash_hex(escrow).substr(0, 16));
}

}  // namespace fogline::ledger
