#include "ledger/usage_report.h"

#include "ledger/encoding.h"

namespace fogline::ledger {

std::string UsageReport::signed_bytes() const {
  Writer w;
  w.raw("fogline-usage/1");
  w.fixed(rental);
  w.fixed(node);
  w.u64(sequence);
  w.u64(inferences);
  return w.take();
}

std::string UsageReport::encode() const {
  std::string out = signed_bytes();
  out.append(reinterpret_cast<const char*>(signature.data()), signature.size());
  return out;
}

bool UsageReport::signature_valid() const { return crypto::verify_signature(node, signed_bytes(), signature); }

UsageReport sign_usage_report(const crypto::Identity& node, const Hash& rental, uint64_t sequence, uint64_t inferences) {
  UsageReport r;
  r.rental = rental;
  r.node = node.sign_public();
  r.sequence = sequence;
  r.inferences = inferences;
  r.signature = node.sign(r.signed_bytes());
  return r;
}

Result<UsageSettleTx> settle_reports(const std::vector<UsageReport>& reports) {
  if (reports.empty()) return invalid_argument("no usage reports to settle");
  UsageSettleTx tx;
  tx.rental = reports[0].rental;
  std::vector<Hash> leaves;
  for (size_t i = 0; i < reports.size(); ++i) {
    const UsageReport& r = reports[i];
    std::string where = "usage report #" + std::to_string(i) + " (sequence " + std::to_string(r.sequence) + ")";
    if (r.rental != reports[0].rental || r.node != reports[0].node)
      return invalid_argument(where + " is for another rental or node than the batch");
    if (r.sequence == 0) return invalid_argument(where + ": sequences start at 1");
    if (i > 0 && r.sequence <= reports[i - 1].sequence)
      return invalid_argument(where + " does not follow sequence " + std::to_string(reports[i - 1].sequence));
    if (!r.signature_valid()) return invalid_argument(where + " is not signed by node " + short_key(r.node));
    if (tx.inferences + r.inferences < tx.inferences) return out_of_range(where + ": inference count overflows");
    tx.inferences += r.inferences;
    leaves.push_back(leaf_hash(r.encode()));
  }
  tx.report_count = static_cast<uint32_t>(reports.size());
  tx.first_sequence = reports.front().sequence;
  tx.last_sequence = reports.back().sequence;
  tx.reports_root = merkle_root(leaves);
  return tx;
}

}  // namespace fogline::ledger
