// fogline rent usage [--rental ID]: each rental's model, renter, settled inferences,
// credits paid to the owner and still prepaid, and each node's last settled report.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/usage_settle.h"

namespace fogline::cli {
namespace {

class RentUsageCommand : public Command {
 public:
  const char* name() const override { return "rent usage"; }
  const char* summary() const override { return "Rentals: settled inferences, credits paid and left, per node"; }
  void configure(CLI::App& app) override {
    app.add_option("--rental", rental_, "only this rental (id)");
    ledger_home_.add_to(app, false);
  }
  int run() override {
    auto l = ledger_home_.open();
    if (!l.is_ok()) return fail(l.status().message());
    const ledger::State& s = l->state();
    ledger::Hash only{};
    if (!rental_.empty()) {
      auto h = ledger::hash_from_hex(rental_, "rental id");
      if (!h.is_ok()) return fail(h.status().message());
      if (!s.rental(*h)) return fail("no rental " + rental_ + " on the ledger");
      only = *h;
    }
    if (s.rentals().empty()) std::printf("no rentals on the ledger\n");
    for (const auto& [id, r] : s.rentals()) {
      if (!rental_.empty() && id != only) continue;
      const ledger::Model* m = s.model(r.model);
      std::printf("%s  %s@%s  renter %s  owner %s\n  inferences %llu  paid %llu  prepaid left %llu  price/1000 %llu\n",
                  ledger::hash_hex(id).c_str(), m ? m->name.c_str() : "?", m ? m->version.c_str() : "?",
                  ledger::account_label(s, r.renter).c_str(), ledger::account_label(s, r.owner).c_str(),
                  (unsigned long long)r.inferences, (unsigned long long)r.paid, (unsigned long long)r.prepaid,
                  (unsigned long long)r.price_per_1000);
      for (const auto& n : r.nodes)
        std::printf("  node %s  settled through report %llu  counter %llu\n", ledger::account_label(s, n.node).c_str(),
                    (unsigned long long)n.settled_sequence, (unsigned long long)n.settled_inferences);
      if (r.exhausted)
        std::printf("  EXHAUSTED: %s\n", ledger::rental_exhausted_reason(r).c_str());
      else if (s.economy == ledger::Economy::kCredits)
        std::printf("  serves %llu more inferences on the prepayment\n", (unsigned long long)ledger::rental_inferences_left(r));
    }
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string rental_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(RentUsageCommand);
}  // namespace fogline::cli
