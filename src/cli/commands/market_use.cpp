// fogline market use --as USER --dataset D --run RUN --uses N: records that a training or
// evaluation run used a dataset (provenance); a grantee pays the price per use to the owner.
#include <cstdio>

#include "cli/command.h"
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
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--etcd", etcd_, "order through these etcd members (default: the peer's, when HOME is a ledger peer's home)");
    app.add_option("--prefix", prefix_, "etcd key prefix of the chain's ordered log");
  }
  int run() override {
    auto session = ledger::HomeSession::open(home_.empty() ? ledger::default_home() : home_, {etcd_, prefix_});
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
  std::string etcd_, prefix_;
  std::string as_, dataset_, run_, purpose_ = "train", home_;
  uint64_t uses_ = 1;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(MarketUseCommand);
}  // namespace fogline::cli
