// What a renting node needs to know of a rental, read from the ledger's state: the terms it
// serves the rented model under (the fogline-rental-terms/1 JSON of docs/formats/rental-meter.md,
// written by `fogline rent terms` and handed out by the hub with a deployment) and how far its
// cumulative counter may go now (the hub's GET /api/ledger/rentals/{rental}, which the agent
// reads every round so that settlements made by others reach its meter).
#pragma once

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "ledger/state.h"

namespace fogline::ledger {

// The cumulative count `node` may reach: what it has settled plus its share of what the
// prepayment still pays for (the whole of it for a rental's only node; the first node also
// takes the remainder). An exhausted rental leaves only what was settled. UINT64_MAX when
// nothing limits it (economy = off, or a price of 0).
uint64_t rental_node_allowance(const State& state, const Rental& rental, const RentalNode& node);

// The terms for `node`; refused when the rental, its model or the node is unknown to it.
Result<nlohmann::json> rental_terms_for(const State& state, const Hash& rental, const PublicKey& node);

// The rental as the hub shows it: model, parties, price, prepaid/paid, settled inferences,
// exhausted (with the reason), and per node its settled count and allowance (null: no limit).
nlohmann::json rental_state_json(const State& state, const Hash& id, const Rental& rental);

}  // namespace fogline::ledger
