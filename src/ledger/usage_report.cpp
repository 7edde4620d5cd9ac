#include "ledger/usage_report.h"

#include "core/file_util.h"
#include "core/sha256.h"

namespace fogline::ledger {

Result<std::vector<crypto::UsageCounter>> read_usage_reports(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  std::vector<crypto::UsageCounter> out;
  size_t start = 0, line_no = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::string where = path + ":" + std::to_string(line_no) + ": ";
    auto bytes = from_hex(line);
    if (!bytes.is_ok()) return invalid_argument(where + bytes.status().message());
    auto report = crypto::decode_usage_counter(*bytes);
    if (!report.is_ok()) return invalid_argument(where + report.status().message());
    out.push_back(std::move(report).value());
  }
  if (out.empty()) return invalid_argument(path + ": no usage reports");
  return out;
}

Result<Hash> find_rental_for(const State& state, const crypto::UsageCounter& report, const Hash& rental_hint) {
  const Hash* found = nullptr;
  for (const auto& [id, r] : state.rentals()) {
    if (rental_hint != Hash{} && id != rental_hint) continue;
    const Model* m = state.model(r.model);
    if (!m || m->name != report.model || m->version != report.version || r.renter != report.renter) continue;
    bool has_node = false;
    for (const auto& n : r.nodes) has_node |= n.node == report.node;
    if (!has_node) continue;
    if (found) return invalid_argument("several rentals of " + report.model + "@" + report.version + " by this renter on node " +
                                       short_key(report.node) + "; give --rental ID");
    found = &id;
  }
  if (!found)
    return not_found("no rental of " + report.model + "@" + report.version + " by " + short_key(report.renter) +
                     " with node " + short_key(report.node) + " on the ledger");
  return *found;
}

Result<UsageSettleTx> settle_reports(const State& state, const Hash& rental, const std::vector<crypto::UsageCounter>& reports) {
  if (reports.empty()) return invalid_argument("no usage reports to settle");
  const Rental* r = state.rental(rental);
  if (!r) return not_found("no rental " + hash_hex(rental));
  const RentalNode* node = nullptr;
  for (const auto& n : r->nodes)
    if (n.node == reports[0].node) node = &n;
  if (!node) return invalid_argument("node " + short_key(reports[0].node) + " is not a node of rental " + hash_hex(rental));
  return settle_batch(rental, node->settled_sequence, node->settled_inferences, reports);
}

Result<UsageSettleTx> settle_batch(const Hash& rental, uint64_t settled_sequence, uint64_t settled_inferences,
                                   const std::vector<crypto::UsageCounter>& reports) {
  if (reports.empty()) return invalid_argument("no usage reports to settle");
  UsageSettleTx tx;
  tx.rental = rental;
  std::vector<Hash> leaves;
  uint64_t prev_sequence = settled_sequence, prev_count = settled_inferences;
  for (size_t i = 0; i < reports.size(); ++i) {
    const crypto::UsageCounter& c = reports[i];
    std::string where = "usage report #" + std::to_string(i) + " (sequence " + std::to_string(c.sequence) + ")";
    if (c.node != reports[0].node || c.model != reports[0].model || c.version != reports[0].version ||
        c.renter != reports[0].renter)
      return invalid_argument(where + " is for another node, model or renter than the batch");
    if (!c.signature_valid()) return invalid_argument(where + " is not signed by node " + short_key(c.node) + " (forged)");
    if (c.sequence <= prev_sequence)
      return invalid_argument(where + " does not follow sequence " + std::to_string(prev_sequence) +
                              (i == 0 ? " (already settled: a replayed report)" : ""));
    if (c.inferences < prev_count)
      return invalid_argument(where + ": the counter went down from " + std::to_string(prev_count) + " to " +
                              std::to_string(c.inferences));
    prev_sequence = c.sequence;
    prev_count = c.inferences;
    leaves.push_back(leaf_hash(c.encode()));
  }
  tx.inferences = prev_count - settled_inferences;
  if (tx.inferences == 0) return invalid_argument("the reports add no inferences since the last settlement");
  tx.report_count = static_cast<uint32_t>(reports.size());
  tx.first_sequence = reports.front().sequence;
  tx.last_sequence = reports.back().sequence;
  tx.reports_root = merkle_root(leaves);
  tx.last_report = reports.back().encode();
  return tx;
}

}  // namespace fogline::ledger
