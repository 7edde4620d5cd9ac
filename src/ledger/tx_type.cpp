#include "ledger/tx_type.h"

namespace fogline::ledger {

const TxTypeInfo* find_tx_type(uint16_t code) {
  for (const auto& t : tx_types())
    if (t.code == code) return &t;
  return nullptr;
}

const char* tx_type_name(uint16_t code) {
  const TxTypeInfo* t = find_tx_type(code);
  return t ? t->name : "unknown";
}

Status require_credits(const State& state, const char* what) {
  if (state.economy != Economy::kCredits)
    return invalid_argument(std::string(what) + " needs economy = credits; this ledger runs with economy = off");
  return Status::ok();
}

Status require_account(const State& state, const PublicKey& key, const char* role) {
  if (!state.account(key)) return not_found(std::string(role) + " " + short_key(key) + " is not a registered account");
  return Status::ok();
}

bool is_zero(const Hash& h) {
  for (unsigned char c : h)
    if (c) return false;
  return true;
}

bool add_overflows(uint64_t a, uint64_t b) { return a + b < a; }

Status apply_transaction(State& state, const Transaction& tx, const Hash& tx_id, uint64_t height) {
  const TxTypeInfo* type = find_tx_type(tx.type);
  if (!type) return invalid_argument("unknown transaction type " + std::to_string(tx.type));
  // Decoding refuses other versions; this catches one built in memory (it would not decode again).
  if (tx.version < kTxFormatVersionOldest || tx.version > kTxFormatVersion)
    return invalid_argument("transaction format version " + std::to_string(tx.version) + " is not supported: versions " +
                            std::to_string(kTxFormatVersionOldest) + " to " + std::to_string(kTxFormatVersion) + " are");
  auto body = type->decode(tx.body);
  if (!body.is_ok()) return body.status().with_context(std::string(type->name) + " body");
  const Account* sender = state.account(tx.sender);
  if (!sender && !(*body)->creates_sender())
    return not_found("sender " + short_key(tx.sender) + " is not a registered account");
  if (!state.has_genesis && tx.type != 1) return invalid_argument("the first transaction must be the genesis");
  uint64_t expected = sender ? sender->next_nonce : 0;
  if (tx.nonce != expected)
    return invalid_argument("nonce " + std::to_string(tx.nonce) + " from " + short_key(tx.sender) + ", expected " +
                            std::to_string(expected) + (tx.nonce < expected ? " (replayed or stale)" : " (gap)"));
  TxContext ctx{tx, tx_id, height};
  FOGLINE_TRY((*body)->check(state, ctx).with_context(type->name));
  (*body)->apply(state, ctx);
  Account updated = *state.account(tx.sender);  // apply() created it for register/genesis
  ++updated.next_nonce;
  state.put_account(tx.sender, std::move(updated));
  ++state.tx_count;
  return Status::ok();
}

std::string describe_transaction(const Transaction& tx) {
  const TxTypeInfo* type = find_tx_type(tx.type);
  if (!type) return "unknown type " + std::to_string(tx.type);
  auto body = type->decode(tx.body);
  if (!body.is_ok()) return std::string(type->name) + " (undecodable: " + body.status().message() + ")";
  return std::string(type->name) + " " + (*body)->describe();
}

}  // namespace fogline::ledger
