#include "ledger/rental_view.h"

#include "ledger/tx/usage_settle.h"

namespace fogline::ledger {

uint64_t rental_node_allowance(const State& state, const Rental& r, const RentalNode& node) {
  if (state.economy != Economy::kCredits || r.price_per_1000 == 0) return UINT64_MAX;
  uint64_t left = r.exhausted ? 0 : rental_inferences_left(r);
  if (r.nodes.empty()) return node.settled_inferences;
  const uint64_t n = r.nodes.size();
  uint64_t share = left / n + (node.node == r.nodes[0].node ? left % n : 0);
  return node.settled_inferences > UINT64_MAX - 1 - share ? UINT64_MAX - 1 : node.settled_inferences + share;
}

Result<nlohmann::json> rental_terms_for(const State& s, const Hash& id, const PublicKey& node_key) {
  const Rental* r = s.rental(id);
  if (!r) return not_found("no rental " + hash_hex(id) + " on the ledger");
  const Model* m = s.model(r->model);
  if (!m) return not_found("rental " + hash_hex(id) + " names a model the ledger does not hold");
  const RentalNode* node = nullptr;
  for (const auto& n : r->nodes)
    if (n.node == node_key) node = &n;
  if (!node)
    return invalid_argument("node " + short_key(node_key) + " is not a node of rental " + hash_hex(id).substr(0, 16) +
                            " (the renter names its nodes, and seals the bundle key to them, at 'rent start')");
  nlohmann::json j{{"format", "fogline-rental-terms/1"},
                   {"rental", hash_hex(id)},
                   {"model", m->name},
                   {"version", m->version},
                   {"renter", key_hex(r->renter)},
                   {"owner", key_hex(r->owner)},
                   {"node", key_hex(node->node)}};
  const uint64_t allowance = rental_node_allowance(s, *r, *node);
  if (allowance != UINT64_MAX) {
    // The node's counter is cumulative since the rental began.
    j["price_per_1000"] = r->price_per_1000;
    j["prepaid_credits"] = r->prepaid;
    j["prepaid_inferences"] = allowance;
  }
  return j;
}

nlohmann::json rental_state_json(const State& s, const Hash& id, const Rental& r) {
  const Model* m = s.model(r.model);
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : r.nodes) {
    uint64_t allowance = rental_node_allowance(s, r, n);
    nodes.push_back({{"node", key_hex(n.node)},
                     {"settled_sequence", n.settled_sequence},
                     {"settled_inferences", n.settled_inferences},
                     {"allowance", allowance == UINT64_MAX ? nlohmann::json(nullptr) : nlohmann::json(allowance)}});
  }
  uint64_t left = r.exhausted ? 0 : rental_inferences_left(r);
  nlohmann::json j{{"rental", hash_hex(id)},
                   {"model", m ? m->name : ""},
                   {"version", m ? m->version : ""},
                   {"renter", key_hex(r.renter)},
                   {"owner", key_hex(r.owner)},
                   {"price_per_1000", r.price_per_1000},
                   {"prepaid", r.prepaid},
                   {"paid", r.paid},
                   {"inferences", r.inferences},
                   {"exhausted", r.exhausted},
                   {"nodes", nodes}};
  j["inferences_left"] = s.economy != Economy::kCredits || left == UINT64_MAX ? nlohmann::json(nullptr) : nlohmann::json(left);
  if (r.exhausted) j["reason"] = rental_exhausted_reason(r);
  return j;
}

}  // namespace fogline::ledger
