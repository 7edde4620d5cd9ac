// fogline market list: the datasets on offer: owner, prices, terms, records and buyers.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"

namespace fogline::cli {
namespace {

class MarketListCommand : public Command {
 public:
  const char* name() const override { return "market list"; }
  const char* summary() const override { return "Datasets on offer: owner, price, price per use, terms, buyers"; }
  void configure(CLI::App& app) override {
    ledger_home_.add_to(app, false);
  }
  int run() override {
    // Reading needs no key: open the ledger only.
    auto l = ledger_home_.open();
    if (!l.is_ok()) return fail(l.status().message());
    const ledger::State& s = l->state();
    bool credits = s.economy == ledger::Economy::kCredits;
    if (s.datasets().empty()) std::printf("no datasets on the ledger\n");
    for (const auto& [id, d] : s.datasets()) {
      size_t buyers = 0;
      for (const auto& [key, g] : s.grants()) buyers += key.first == id;
      std::printf("%s  %s\n  owner %s  records %llu  grants %zu", ledger::hash_hex(id).c_str(), d.name.c_str(),
                  ledger::account_label(s, d.owner).c_str(), (unsigned long long)d.records, buyers);
      if (credits) std::printf("  price %llu  per use %llu", (unsigned long long)d.price, (unsigned long long)d.price_per_use);
      std::printf("\n  terms %s\n", d.terms.empty() ? "(none)" : d.terms.c_str());
    }
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(MarketListCommand);
}  // namespace fogline::cli
