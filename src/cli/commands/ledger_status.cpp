// fogline ledger status: what the ledger under --home holds (replayed and checked on open).
#include <cstdio>

#include "cli/command.h"
#include "ledger/home.h"

namespace fogline::cli {
namespace {

class LedgerStatusCommand : public Command {
 public:
  const char* name() const override { return "ledger status"; }
  const char* summary() const override { return "Height, head, log root, economy and counts of the ledger"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
  }
  int run() override {
    std::string home = home_.empty() ? ledger::default_home() : home_;
    auto l = ledger::open_home_ledger(home);
    if (!l.is_ok()) return fail(l.status().message());
    const ledger::Ledger& lg = **l;
    const ledger::State& s = lg.state();
    size_t open_escrows = 0;
    for (const auto& [id, e] : s.escrows()) open_escrows += e.status == ledger::EscrowStatus::kOpen;
    std::printf("ledger        %s\nchain         %s\neconomy       %s\norderer       %s\n",
                ledger::Ledger::ledger_dir(home).c_str(), s.chain_name.c_str(), ledger::economy_name(s.economy),
                ledger::key_hex(s.orderer).c_str());
    // An etcd-ordered chain's "orderer" is only the founder who signed the genesis; no key signs its blocks.
    std::printf("ordering      %s\n", lg.chain().ordered_externally()
                                           ? "etcd ordering service (unsigned version 2 blocks, one per slot)"
                                           : "solo orderer (signed version 1 blocks)");
    std::printf("height        %llu blocks\ntransactions  %llu\nhead          %s\nlog root      %s (size %llu)\n",
                (unsigned long long)s.height, (unsigned long long)s.tx_count, ledger::hash_hex(lg.chain().head_hash()).c_str(),
                ledger::hash_hex(lg.chain().log().root()).c_str(), (unsigned long long)lg.chain().log().size());
    std::printf("accounts      %zu\ndatasets      %zu\nrecords       %zu\ngrants        %zu\nmodels        %zu\n",
                s.accounts().size(), s.datasets().size(), s.records().size(), s.grants().size(), s.models().size());
    if (s.economy == ledger::Economy::kCredits)
      std::printf("credits       %llu (open escrows: %zu)\n", (unsigned long long)s.total_credits(), open_escrows);
    const auto& repair = lg.store().repair();
    if (repair.data_bytes_cut || repair.index_bytes_cut)
      std::printf("recovered     cut %llu unacknowledged bytes left by a crash\n",
                  (unsigned long long)(repair.data_bytes_cut + repair.index_bytes_cut));
    return 0;
  }

 private:
  std::string home_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerStatusCommand);
}  // namespace fogline::cli
