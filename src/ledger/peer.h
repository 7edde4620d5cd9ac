// A ledger peer of a multi-organisation chain: it takes the transaction order from the etcd
// ordering service (ordering.h) and cuts one block per ordered slot on its own copy of the
// chain (Ledger::append_ordered). Every peer judges every transaction the same way, so every
// peer writes byte-identical blocks; a peer that was down reads the slots after its head and
// catches up. The peer's progress goes to HOME/ledger/peer.json after every block (the ledger
// files belong to the running peer; read its progress there, not by opening the store).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "ledger/ordering.h"

namespace fogline::ledger {

struct PeerOptions {
  std::string home;
  std::string endpoints;  // etcd members, comma-separated
  std::string prefix = "fogline/ledger/";
  int poll_ms = 100;
  int64_t slots_per_read = 64;
  bool verbose = true;  // one line per block on stderr
};

class Peer {
 public:
  // Opens (or starts) the chain under HOME/ledger and takes HOME/ledger/peer.lock, so two
  // peers never share one home.
  static Result<std::unique_ptr<Peer>> open(const PeerOptions& options);
  ~Peer();

  // Reads the slots after the head and appends their blocks; returns how many blocks. An
  // io_error is the ordering service being unreachable (try again); anything else is fatal.
  Result<size_t> sync_once();
  // sync_once until `stop` is set.
  Status run(const std::atomic<bool>& stop);

  const Ledger& ledger() const { return *ledger_; }
  uint64_t next_slot() const { return next_slot_; }
  static std::string status_path(const std::string& home) { return Ledger::ledger_dir(home) + "/peer.json"; }

 private:
  Peer(PeerOptions options, EtcdOrdering ordering) : options_(std::move(options)), ordering_(std::move(ordering)) {}
  Status check_genesis_slot();
  Status write_status() const;
  PeerOptions options_;
  EtcdOrdering ordering_;
  std::unique_ptr<Ledger> ledger_;
  uint64_t next_slot_ = 0;
  uint64_t rejected_ = 0;  // since this process started
  int lock_fd_ = -1;
};

}  // namespace fogline::ledger
