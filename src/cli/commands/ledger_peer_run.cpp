// fogline ledger peer run: one organisation's ledger peer. Takes the transaction order from the
// etcd cluster, builds every block itself (identical on every peer) and catches up after a
// restart; SIGTERM or SIGINT stops it between blocks.
#include <atomic>
#include <csignal>
#include <cstdio>

#include "cli/command.h"
#include "ledger/home.h"
#include "ledger/peer.h"

namespace fogline::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

class LedgerPeerRunCommand : public Command {
 public:
  const char* name() const override { return "ledger peer run"; }
  const char* summary() const override { return "Run a ledger peer ordered by an etcd cluster"; }
  void configure(CLI::App& app) override {
    app.add_option("--etcd", options_.endpoints, "etcd members, http://host:port[,...]")->required();
    app.add_option("--prefix", options_.prefix, "etcd key prefix of the chain's ordered log");
    app.add_option("--home", options_.home, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--poll-ms", options_.poll_ms, "pause between reads when no new slot was ordered");
    app.add_flag("--once", once_, "catch up with the ordered log, then exit");
  }
  int run() override {
    if (options_.home.empty()) options_.home = ledger::default_home();
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
    auto peer = ledger::Peer::open(options_);
    if (!peer.is_ok()) return fail(peer.status().message());
    std::fprintf(stderr, "peer on %s: height %llu, next slot %llu\n", options_.home.c_str(),
                 (unsigned long long)(*peer)->ledger().chain().height(), (unsigned long long)(*peer)->next_slot());
    if (once_) {
      while (true) {
        auto n = (*peer)->sync_once();
        if (!n.is_ok()) return fail(n.status().message());
        if (*n == 0) break;
      }
    } else {
      Status st = (*peer)->run(g_stop);
      if (!st.is_ok()) return fail(st.message());
    }
    const auto& chain = (*peer)->ledger().chain();
    std::printf("height %llu head %s\n", (unsigned long long)chain.height(), ledger::hash_hex(chain.head_hash()).c_str());
    return 0;
  }

 private:
  ledger::PeerOptions options_;
  bool once_ = false;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerPeerRunCommand);
}  // namespace fogline::cli
