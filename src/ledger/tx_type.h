// Transaction types: each type is one file under tx/ (its body, its checks against the state,
// its effect) and one line in the table of tx_types.cpp. Applying a transaction is always
// check() then apply(): check() reads the state and says why the transaction is refused,
// apply() cannot fail, so a refused transaction changes nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/state.h"
#include "ledger/transaction.h"

namespace fogline::ledger {

struct TxContext {
  const Transaction& tx;
  const Hash& tx_id;
  uint64_t height;  // of the block the transaction is in
};

class TxBody {
 public:
  virtual ~TxBody() = default;
  virtual Status check(const State& state, const TxContext& ctx) const = 0;
  virtual void apply(State& state, const TxContext& ctx) const = 0;
  // One line for `fogline ledger tx` and `blocks`.
  virtual std::string describe() const = 0;
  // True only for types an account that does not exist yet may send (genesis, register).
  virtual bool creates_sender() const { return false; }
};

struct TxTypeInfo {
  uint16_t code;
  const char* name;
  Result<std::unique_ptr<TxBody>> (*decode)(std::string_view body);
};

const std::vector<TxTypeInfo>& tx_types();
const TxTypeInfo* find_tx_type(uint16_t code);
const char* tx_type_name(uint16_t code);

// Decodes the body and applies the transaction (nonce, sender, type checks, then the type's
// own). Refused transactions leave `state` unchanged and say why.
Status apply_transaction(State& state, const Transaction& tx, const Hash& tx_id, uint64_t height);
// Decodes `tx`'s body and describes it in one line.
std::string describe_transaction(const Transaction& tx);

// Helpers the types share.
Status require_credits(const State& state, const char* what);
Status require_account(const State& state, const PublicKey& key, const char* role);
bool is_zero(const Hash& h);
// a + b without wrapping; false on overflow.
bool add_overflows(uint64_t a, uint64_t b);

}  // namespace fogline::ledger
