// fogline ledger verify: replays the ledger under --home from genesis without changing it and
// names the first bad block and why.
#include <cstdio>

#include "cli/command.h"
#include "ledger/home.h"
#include "ledger/verify.h"

namespace fogline::cli {
namespace {

class LedgerVerifyCommand : public Command {
 public:
  const char* name() const override { return "ledger verify"; }
  const char* summary() const override {
    return "Replay the chain from genesis: every checksum, hash, signature, nonce and state transition";
  }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--dir", dir_, "a ledger directory (instead of HOME/ledger)");
    app.add_option("--threads", threads_, "threads for signature checks")->default_val(2);
  }
  int run() override {
    std::string dir = !dir_.empty() ? dir_ : ledger::Ledger::ledger_dir(home_.empty() ? ledger::default_home() : home_);
    ledger::VerifyReport r = ledger::verify_ledger(dir, threads_);
    if (!r.ok) {
      if (r.bad_block >= 0)
        std::printf("%llu blocks (%llu transactions) verified before the bad one\n", (unsigned long long)r.blocks,
                    (unsigned long long)r.transactions);
      return fail(r.error);
    }
    std::printf("ok: %llu blocks, %llu transactions, head %s\n", (unsigned long long)r.blocks,
                (unsigned long long)r.transactions, r.head_hash.c_str());
    if (r.unacknowledged_bytes)
      std::printf("note: %llu unacknowledged bytes after the last block (a crash's tail; cut on next open)\n",
                  (unsigned long long)r.unacknowledged_bytes);
    return 0;
  }

 private:
  std::string home_, dir_;
  int threads_ = 2;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerVerifyCommand);
}  // namespace fogline::cli
