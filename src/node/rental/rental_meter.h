// Meters one rented model on this node: counts each successful inference in a durable counter
// (usage_counter_file.h), signs cumulative usage counter reports with the node's Ed25519 key
// in exactly the format the ledger settles (crypto/usage_counter.h), collects them into batch
// files for `fogline rent settle --reports FILE` (one usage_settle transaction per batch), and
// refuses inference once the prepaid inferences are used up.
//
// Files in the meter's directory:
//   counter                       the durable count and the last report's sequence
//   pending.reports               reports of the open batch, one hex encoding per line
//   batch-FIRST-LAST.reports      closed batches, ready to settle, in sequence order
//   batch-FIRST-LAST.settled      (.rejected + .rejected.why) what the agent settled or kept
//                                 aside (node/agent/usage_settler.h); recovery reads them too
//
// Requests take a ticket before running (admit), so concurrent requests can never serve more
// than the prepaid count, and count only when they succeed (commit, durable before the reply
// is sent, so every answer a client received was counted, kill -9 included). Commits that
// arrive while the counter is being synced share the next sync (group commit), so concurrent
// requests do not queue behind one fdatasync each.
#pragma once

#include <condition_variable>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "crypto/identity.h"
#include "node/rental/rental_terms.h"
#include "node/rental/usage_counter_file.h"

namespace fogline::node::rental {

// Batch file suffixes: closed and still to settle, settled by the agent, kept aside by it.
inline constexpr const char* kBatchReports = ".reports";
inline constexpr const char* kBatchSettled = ".settled";
inline constexpr const char* kBatchRejected = ".rejected";

// The batch-* files in `dir` ending in one of `suffixes`, oldest first (the names carry
// zero-padded sequences). Shared by the meter and the agent's settler.
std::vector<std::string> batch_files_in(const std::string& dir, std::initializer_list<const char*> suffixes);

struct MeterOptions {
  uint32_t batch_reports = 32;  // a batch is closed once it holds this many reports
};

struct MeterSnapshot {
  uint64_t inferences = 0;  // counted, durable
  uint64_t prepaid = kUnlimited;
  uint64_t in_flight = 0;
  uint64_t sequence = 0;    // last report written
  uint64_t reported = 0;    // inferences the last report says
  uint64_t refused = 0;     // requests refused since the process started
  uint64_t batches = 0;     // closed batch files in the directory
  bool exhausted() const { return prepaid != kUnlimited && inferences >= prepaid; }
};

class RentalMeter;

// One admitted request: commit() counts it; dropping it uncommitted gives the slot back.
class RentalTicket {
 public:
  RentalTicket() = default;
  RentalTicket(RentalTicket&& o) noexcept : meter_(o.meter_) { o.meter_ = nullptr; }
  RentalTicket& operator=(RentalTicket&&) = delete;
  RentalTicket(const RentalTicket&) = delete;
  ~RentalTicket();
  Status commit();

 private:
  friend class RentalMeter;
  explicit RentalTicket(RentalMeter* m) : meter_(m) {}
  RentalMeter* meter_ = nullptr;
};

class RentalMeter {
 public:
  static Result<std::shared_ptr<RentalMeter>> open(RentalTerms terms, std::string dir,
                                                   std::shared_ptr<const crypto::Identity> node, MeterOptions options);
  RentalMeter(const RentalMeter&) = delete;
  RentalMeter& operator=(const RentalMeter&) = delete;

  const RentalTerms& terms() const { return terms_; }
  const std::string& dir() const { return dir_; }

  // A ticket, or the refusal (402 body: "error", "rental", "rented_model", "used", "prepaid").
  Result<RentalTicket> admit();
  nlohmann::json refusal_json(const std::string& served_name) const;

  // The cumulative count this node may reach, as the ledger now sees it (the hub's
  // GET /api/ledger/rentals/{id}: what this node settled plus its share of what the prepayment
  // still pays for, which settlements by other nodes shrink), replacing the terms' count
  // (kUnlimited: no limit); `ledger_reason` non-empty: the ledger marked the rental exhausted,
  // and refusals say why. A limit at or below the count closes the open batch, so what was
  // served goes to settlement. True when something changed.
  bool set_allowance(uint64_t limit, const std::string& ledger_reason);

  // Signs a report when the counter moved since the last one.
  Status report();
  // Report, then close the open batch (shutdown, exhaustion).
  Status flush();
  MeterSnapshot snapshot() const;
  // The closed batch files, oldest first.
  std::vector<std::string> batch_files() const;

 private:
  friend class RentalTicket;
  RentalMeter(RentalTerms terms, std::string dir, std::shared_ptr<const crypto::Identity> node, MeterOptions options,
              UsageCounterFile counter);
  // The counter file is written by one thread at a time: the syncer (syncing_, outside mu_)
  // or a holder of mu_ that waited for !syncing_ (the *_locked functions).
  Status recover();  // with mu_ held, before anyone else can see the meter
  Status commit_one();
  void release_one();
  Status report_locked(std::unique_lock<std::mutex>& lock);
  Status close_batch_locked();
  std::string exhausted_message() const;  // with mu_ held

  const RentalTerms terms_;
  const std::string dir_;
  const std::shared_ptr<const crypto::Identity> node_;
  const MeterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable synced_;
  bool syncing_ = false;
  Status broken_ = Status::ok();  // the counter could not be written: nothing more is served
  UsageCounterFile counter_;
  // Under mu_: counted_ includes commits whose sync is under way; durable_ and sequence_
  // mirror what the counter file holds.
  uint64_t counted_ = 0, durable_ = 0, sequence_ = 0;
  uint64_t in_flight_ = 0, refused_ = 0, reported_ = 0;
  uint64_t pending_count_ = 0, pending_first_ = 0;
  uint64_t limit_ = kUnlimited;  // under mu_: the terms' prepaid count, then the ledger's allowance
  std::string ledger_reason_;    // under mu_: why the ledger says the rental is exhausted
};

}  // namespace fogline::node::rental
