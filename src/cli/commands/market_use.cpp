// fogline market use --as USER --dataset D --run RUN --uses N: records that a training or
// evaluation run used a dataset (provenance); a grantee pays the price per use to the owner.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/data_use.h"

namespace fogline::cli {
namespace {

class MarketUseCommand : public Command {
 public:
  const char* name() const override { return "market use"; }
  const char* summary() const override { return "Record a run's use of a dataset (paying the owner per use)"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the user's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--dataset", dataset_, "dataset id or name")->required();
    app.add_option("--run", run_, "the run: its id (64 hex) or a name (hashed)")->required();
    app.add_option("--purpose", purpose_, "train, eval, ...");
    app.add_option("--uses", uses_, "how many uses (e.g. epochs x records)");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    const ledger::State& s = session->state();
    auto id = ledger::find_dataset(s, dataset_);
    if (!id.is_ok()) return fail(id.status().message());
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    ledger::DataUseTx u;
    u.dataset = *id;
    auto run_hex = run_.size() == 64 ? ledger::hash_from_hex(run_, "run id") : Result<ledger::Hash>(internal_error(""));
    u.run = run_hex.is_ok() ? *run_hex : ledger::sha256("fogline-run/" + run_);
    u.purpose = purpose_;
    u.uses = uses_;
    const ledger::Dataset* d = s.dataset(*id);
    uint64_t owner_before = s.account(d->owner)->balance.value_or(0);
    auto tx = session->submit(*who, u.kCode, u.encode());
    if (!tx.is_ok()) return fail(tx.status().message());
    std::printf("use %s: run %s used '%s' %llu times", ledger::hash_hex(*tx).c_str(), ledger::hash_hex(u.run).substr(0, 16).c_str(),
                d->name.c_str(), (unsigned long long)uses_);
    if (s.economy == ledger::Economy::kCredits)
      std::printf(", %s credited %llu", ledger::account_label(s, d->owner).c_str(),
                  (unsigned long long)(s.account(d->owner)->balance.value_or(0) - owner_before));
    std::printf("\n");
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string as_, dataset_, run_, purpose_ = "train";
  uint64_t uses_ = 1;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(MarketUseCommand);
}  // namespace fogline::cli
