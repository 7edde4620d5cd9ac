// The hub-driven node settles its rented usage by itself (docs/node.md "Rented models"): each
// closed batch DATA/rentals/RENTAL_ID/batch-FIRST-LAST.reports becomes one usage_settle
// transaction, built by the same code as `fogline rent settle` (ledger/usage_report.h), signed
// with the node's enrollment key (its ledger account) at the nonce the hub's ledger gives
// (GET /api/ledger/accounts/KEY; a hub that lets only API tokens read it: learned from the
// ledger's refusal of a stale nonce) and sent to POST /api/ledger/transactions.
//   committed  -> renamed batch-FIRST-LAST.settled: never sent again, and its last report is
//                 where the next batch starts counting (the node tracks what it settled, it
//                 holds no chain)
//   rejected   -> renamed batch-FIRST-LAST.rejected, the reason in .rejected.why (refused by
//                 the ledger, or already here: a replayed or malformed batch never goes out)
//   otherwise  -> (hub away, no ledger, no account yet, a raced nonce) left for the next round
// Counters are cumulative, so a batch kept aside does not lose inferences: the next settled
// batch covers them.
// Each round also reads every served rental's state from the hub's ledger
// (GET /api/ledger/rentals/ID) and gives its meter this node's allowance: what it settled plus
// its share of what the prepayment still pays for. Settlements by other nodes (or by the
// renter or owner) shrink it, and a rental the ledger marked exhausted is refused here too.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/identity.h"
#include "ledger/transaction.h"
#include "node/agent/hub_client.h"
#include "node/rental/rental_registry.h"

namespace fogline::node::agent {

struct SettleOutcome {
  std::string rental, batch;  // rental id (hex), the batch file as it was named
  bool settled = false;       // else rejected and kept aside
  std::string error;          // why it was rejected
  std::string tx_id;          // the committed transaction
  uint64_t inferences = 0;
  uint64_t height = 0;
};

class UsageSettler {
 public:
  UsageSettler(std::string rentals_dir, const crypto::Identity& identity, HubClient& client)
      : rentals_dir_(std::move(rentals_dir)), identity_(identity), client_(client) {}

  // One pass over every rental's closed batches, oldest first. Returns what was settled or
  // rejected; `*transient` gets the reason a batch was left for later (empty: none was).
  std::vector<SettleOutcome> round(std::string* transient);
  // The ledger's view of each open meter's rental, applied to the meter. Returns one line per
  // meter whose allowance changed; `*transient` gets why the hub could not tell (empty: it could).
  std::vector<std::string> sync_allowances(rental::RentalRegistry& rentals, std::string* transient);

 private:
  // Settles one batch file; false when it was left for later (`*transient` says why).
  bool settle_one(const std::string& rental_dir, const std::string& rental_hex, const std::string& file,
                  SettleOutcome* out, std::string* transient);
  void keep_aside(const std::string& file, const std::string& why);
  // The account's next nonce: GET /api/ledger/accounts/KEY, or, when the hub lets only API
  // tokens read accounts, the one this node last used plus one (a stale one is corrected by
  // the ledger's refusal, which names the nonce it expects).
  bool next_nonce(uint64_t* nonce, std::string* transient);
  // One signed transaction to POST /api/ledger/transactions; `*result` gets its entry of
  // "results" (status committed or rejected). False when there was no such answer.
  bool submit(const ledger::Transaction& tx, nlohmann::json* result, std::string* transient);

  std::string rentals_dir_;
  const crypto::Identity& identity_;
  HubClient& client_;
  uint64_t known_nonce_ = 0;
};

}  // namespace fogline::node::agent
