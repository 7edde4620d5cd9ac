// fogline market grant --as OWNER --dataset D --to BUYER: the owner's side of a sale:
// re-wraps the data key of every record of the dataset to the buyer's X25519 key and records the
// grant, which releases the buyer's escrow to the owner (found on the ledger when not given).
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/data_capture.h"
#include "ledger/home.h"
#include "ledger/home_session.h"

namespace fogline::cli {
namespace {

class MarketGrantCommand : public Command {
 public:
  const char* name() const override { return "market grant"; }
  const char* summary() const override { return "Give a buyer a dataset's data keys (and take its escrowed payment)"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the owner's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--dataset", dataset_, "dataset id or name")->required();
    app.add_option("--to", to_, "the buyer: account name or key")->required();
    app.add_option("--escrow", escrow_, "the buyer's escrow id (default: its open escrow for this price)");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    const ledger::State& s = session->state();
    auto id = ledger::find_dataset(s, dataset_);
    if (!id.is_ok()) return fail(id.status().message());
    auto grantee = ledger::find_account(s, to_);
    if (!grantee.is_ok()) return fail(grantee.status().message());
    const ledger::Dataset* d = s.dataset(*id);
    ledger::Hash escrow{};
    if (!escrow_.empty()) {
      auto e = ledger::hash_from_hex(escrow_, "escrow id");
      if (!e.is_ok()) return fail(e.status().message());
      escrow = *e;
    } else if (s.economy == ledger::Economy::kCredits && d->price > 0) {
      // The smallest open escrow from the buyer to the owner that covers the price.
      const ledger::Escrow* best = nullptr;
      for (const auto& [eid, e] : s.escrows()) {
        if (e.status != ledger::EscrowStatus::kOpen || e.payer != *grantee || e.payee != d->owner || e.amount < d->price) continue;
        if (!best || e.amount < best->amount) {
          best = &e;
          escrow = eid;
        }
      }
      if (!best)
        return fail("no open escrow of at least " + std::to_string(d->price) + " credits from " + to_ + " to " +
                    ledger::account_label(s, d->owner) + " (the buyer pays first: 'fogline market buy')");
    }
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    auto grant = ledger::make_grant(s, *who, *id, *grantee, escrow);
    if (!grant.is_ok()) return fail(grant.status().message());
    size_t keys = grant->keys.size();
    auto tx = session->submit(*who, grant->kCode, grant->encode());
    if (!tx.is_ok()) return fail(tx.status().message());
    std::printf("grant %s: %zu data keys of '%s' re-wrapped to %s", ledger::hash_hex(*tx).c_str(), keys, d->name.c_str(),
                to_.c_str());
    if (!ledger::is_zero(escrow)) std::printf(", escrow %s released", ledger::hash_hex(escrow).substr(0, 16).c_str());
    std::printf("\n");
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string as_, dataset_, to_, escrow_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(MarketGrantCommand);
}  // namespace fogline::cli
