// The text form of a transaction's inclusion proof (docs/formats/ledger.md, "fogline-proof 1"):
// written by `fogline ledger proof`, checked offline by `fogline ledger verify-proof` with nothing
// but the file (and, to be meaningful, a log root the checker trusts).
#pragma once

#include <string>

#include "ledger/ledger.h"

namespace fogline::ledger {

std::string write_proof_file(const TxProof& proof);
Result<TxProof> parse_proof_file(const std::string& text);
// Checks that tx bytes hash to tx_id and that the path leads from its leaf to log_root.
Status verify_proof(const TxProof& proof);

}  // namespace fogline::ledger
