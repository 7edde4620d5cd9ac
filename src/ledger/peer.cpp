#include "ledger/peer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/file_util.h"

namespace fogline::ledger {

Result<std::unique_ptr<Peer>> Peer::open(const PeerOptions& options) {
  FOGLINE_ASSIGN_OR_RETURN(EtcdClient client, EtcdClient::connect(options.endpoints));
  std::unique_ptr<Peer> peer(new Peer(options, EtcdOrdering(std::move(client), options.prefix)));
  const std::string dir = Ledger::ledger_dir(options.home);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create '" + dir + "': " + ec.message());
  const std::string lock_path = dir + "/peer.lock";
  peer->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (peer->lock_fd_ < 0) return io_error("cannot open '" + lock_path + "'");
  if (::flock(peer->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return invalid_argument("another peer is running on '" + options.home + "', or a ledger command has its files open (" +
                            lock_path + " is locked)");
  FOGLINE_ASSIGN_OR_RETURN(peer->ledger_, Ledger::open(dir));
  const Chain& chain = peer->ledger_->chain();
  if (chain.height() > 0) {
    if (!chain.ordered_externally())
      return invalid_argument("the ledger in '" + dir + "' has a solo orderer; a peer needs a chain ordered by etcd");
    peer->next_slot_ = chain.headers().back().slot + 1;
    FOGLINE_TRY(peer->check_genesis_slot());
  }
  return peer;
}

Peer::~Peer() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

// A restarted peer pointed at another cluster or prefix would append someone else's slots to
// its chain; its block 0 must hold the genesis of this service's slot 0.
Status Peer::check_genesis_slot() {
  FOGLINE_ASSIGN_OR_RETURN(auto slots, ordering_.read(0, 1));
  if (slots.empty()) return invalid_argument("etcd has no slot 0 under '" + ordering_.prefix() + "' but this peer has a chain");
  FOGLINE_ASSIGN_OR_RETURN(OrderedBatch batch, decode_batch(slots[0].value));
  FOGLINE_ASSIGN_OR_RETURN(Block block0, ledger_->read_block(0));
  for (const auto& t : batch.txs)
    if (t == block0.tx_bytes[0]) return Status::ok();
  return invalid_argument("this peer's genesis is not the one in slot 0 under '" + ordering_.prefix() +
                          "': another chain");
}

Status Peer::write_status() const {
  const Chain& c = ledger_->chain();
  nlohmann::json j = {{"height", c.height()},
                      {"head", hash_hex(c.head_hash())},
                      {"next_slot", next_slot_},
                      {"transactions", c.log().size()},
                      {"log_root", hash_hex(c.log().root())},
                      {"rejected_since_start", rejected_},
                      {"chain", c.state().chain_name},
                      {"prefix", ordering_.prefix()},
                      {"endpoints", options_.endpoints},
                      {"pid", static_cast<int64_t>(::getpid())},
                      {"updated_ms", now_ms()}};
  return write_file_atomic(status_path(options_.home), j.dump(2) + "\n");
}

Result<size_t> Peer::sync_once() {
  FOGLINE_ASSIGN_OR_RETURN(auto slots, ordering_.read(next_slot_, options_.slots_per_read));
  size_t blocks = 0;
  for (const auto& s : slots) {
    auto batch = decode_batch(s.value);
    // A slot that is not a batch (written around the protocol) is skipped by every peer alike.
    if (!batch.is_ok() || batch->txs.empty()) {
      if (options_.verbose && !batch.is_ok())
        std::fprintf(stderr, "slot %llu skipped: %s\n", (unsigned long long)s.slot, batch.status().message().c_str());
      next_slot_ = s.slot + 1;
      continue;
    }
    auto block = ledger_->append_ordered(s.slot, batch->timestamp_ms, batch->txs);
    if (!block.is_ok()) return internal_error(block.status().message()).with_context("slot " + std::to_string(s.slot));
    next_slot_ = s.slot + 1;
    rejected_ += block->rejected.size();
    ++blocks;
    if (options_.verbose)
      std::fprintf(stderr, "block %llu from slot %llu: %u transactions, %u rejected, head %s\n",
                   (unsigned long long)block->header.height, (unsigned long long)s.slot, block->header.tx_count,
                   block->header.rejected_count, hash_hex(block->header.hash()).substr(0, 16).c_str());
  }
  if (blocks > 0 || !std::filesystem::exists(status_path(options_.home))) FOGLINE_TRY(write_status());
  return blocks;
}

Status Peer::run(const std::atomic<bool>& stop) {
  std::string last_error;
  while (!stop.load()) {
    auto n = sync_once();
    if (!n.is_ok()) {
      if (n.status().code() != StatusCode::kIoError) return n.status();
      // The ordering service is unreachable: say so once, keep trying.
      if (n.status().message() != last_error) std::fprintf(stderr, "waiting for etcd: %s\n", n.status().message().c_str());
      last_error = n.status().message();
    } else {
      last_error.clear();
      if (*n > 0) continue;
    }
    for (int waited = 0; waited < options_.poll_ms && !stop.load(); waited += 20)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::ok();
}

}  // namespace fogline::ledger
