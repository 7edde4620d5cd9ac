// Settling signed usage counter reports (crypto/usage_counter.h, the format a node produces on
// its own): one usage_settle transaction for a batch, carrying the inferences the batch adds,
// the RFC 6962 Merkle root over the reports' encodings and the last report, so the chain grows
// by one transaction per batch and any single report can later be proven part of it.
#pragma once

#include <vector>

#include "crypto/usage_counter.h"
#include "ledger/merkle.h"
#include "ledger/state.h"
#include "ledger/tx/usage_settle.h"

namespace fogline::ledger {

// Reads a file of reports, one hex encoding per line; every signature is checked.
Result<std::vector<crypto::UsageCounter>> read_usage_reports(const std::string& path);

// The rental the reports are for: the one (or `rental_hint`, when not all zero) whose model,
// version and renter they name and whose node signed them.
Result<Hash> find_rental_for(const State& state, const crypto::UsageCounter& report, const Hash& rental_hint = {});

// The settlement for a batch of one node's reports for `rental`. Refuses reports from another
// node or for another model or renter, sequences that do not strictly increase or were already
// settled (a replay), and a cumulative counter that goes down.
Result<UsageSettleTx> settle_reports(const State& state, const Hash& rental, const std::vector<crypto::UsageCounter>& reports);

// The same from what the node last settled (its report's sequence and cumulative counter)
// instead of the chain's state: the one implementation behind settle_reports, also used by a
// node that settles its own batches and tracks what it settled (node/agent/usage_settler.h).
Result<UsageSettleTx> settle_batch(const Hash& rental, uint64_t settled_sequence, uint64_t settled_inferences,
                                   const std::vector<crypto::UsageCounter>& reports);

}  // namespace fogline::ledger
