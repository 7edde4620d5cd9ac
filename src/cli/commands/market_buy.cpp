// fogline market buy --as BUYER --dataset D: pays a dataset's price into escrow for its
// owner (economy = credits). The owner's grant (`market grant`, which may run later and offline)
// re-wraps the data keys to the buyer and releases the escrow; until the refund height the
// payment cannot be taken back by the buyer.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/escrow_create.h"

namespace fogline::cli {
namespace {

class MarketBuyCommand : public Command {
 public:
  const char* name() const override { return "market buy"; }
  const char* summary() const override { return "Pay a dataset's price into escrow for its owner"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the buyer's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--dataset", dataset_, "dataset id or name")->required();
    app.add_option("--refund-after", refund_after_, "blocks after which the buyer may take an ungranted payment back");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    const ledger::State& s = session->state();
    auto id = ledger::find_dataset(s, dataset_);
    if (!id.is_ok()) return fail(id.status().message());
    const ledger::Dataset* d = s.dataset(*id);
    if (s.economy != ledger::Economy::kCredits || d->price == 0)
      return fail(std::string(s.economy != ledger::Economy::kCredits ? "economy = off" : "the dataset is free") +
                  ": there is nothing to pay; the owner (" + ledger::account_label(s, d->owner) +
                  ") grants access with 'fogline market grant --dataset " + dataset_ + " --to BUYER'");
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    ledger::EscrowCreateTx e;
    e.payee = d->owner;
    e.amount = d->price;
    e.refundable_from_height = s.height + refund_after_;
    auto escrow = session->submit(*who, e.kCode, e.encode());
    if (!escrow.is_ok()) return fail("buying '" + d->name + "': " + escrow.status().message());
    std::printf("escrow %s: %llu credits for %s, for dataset '%s'\n", ledger::hash_hex(*escrow).c_str(),
                (unsigned long long)d->price, ledger::account_label(s, d->owner).c_str(), d->name.c_str());
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string as_, dataset_;
  uint64_t refund_after_ = 1000;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(MarketBuyCommand);
}  // namespace fogline::cli
