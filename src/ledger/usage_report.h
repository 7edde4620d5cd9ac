// Signed inference counters for model rentals. A renting node meters its inferences in reports
// it signs (rental, sequence number, count); it settles many at once with one usage_settle
// transaction carrying their sum and the RFC 6962 Merkle root over the reports' encodings, so the
// chain grows by one transaction per batch and any single report can later be proven part of it.
// Encoding: "fogline-usage/1" | hash rental | key node | u64 sequence | u64 inferences | sig.
#pragma once

#include <vector>

#include "crypto/identity.h"
#include "ledger/merkle.h"
#include "ledger/tx/usage_settle.h"

namespace fogline::ledger {

struct UsageReport {
  Hash rental{};
  PublicKey node{};
  uint64_t sequence = 0;
  uint64_t inferences = 0;
  Signature signature{};

  std::string signed_bytes() const;  // everything but the signature
  std::string encode() const;        // signed_bytes() || signature
  bool signature_valid() const;
};

UsageReport sign_usage_report(const crypto::Identity& node, const Hash& rental, uint64_t sequence, uint64_t inferences);

// The settlement for a batch of reports: refuses reports that are unsigned, from another node or
// rental, or not in strictly increasing sequence (a report counted twice would be paid twice).
Result<UsageSettleTx> settle_reports(const std::vector<UsageReport>& reports);

}  // namespace fogline::ledger
