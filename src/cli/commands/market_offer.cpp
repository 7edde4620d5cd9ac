// fogline market offer --as OWNER --name N: lists a dataset (prices need economy = credits).
// Records join it when a node captures them into it (its id is this transaction's id).
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/dataset_create.h"

namespace fogline::cli {
namespace {

class MarketOfferCommand : public Command {
 public:
  const char* name() const override { return "market offer"; }
  const char* summary() const override { return "List a dataset with its price, price per use and terms"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the owner's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--name", name_, "dataset name")->required();
    app.add_option("--price", price_, "credits for access (economy = credits)");
    app.add_option("--per-use", per_use_, "credits per use in a training or evaluation run");
    app.add_option("--terms", terms_, "terms of use");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    ledger::DatasetCreateTx d;
    d.name = name_;
    d.price = price_;
    d.price_per_use = per_use_;
    d.terms = terms_;
    auto id = session->submit(*who, d.kCode, d.encode());
    if (!id.is_ok()) return fail(id.status().message());
    std::printf("dataset %s '%s' offered by %s\n", ledger::hash_hex(*id).c_str(), name_.c_str(), as_.c_str());
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string as_, name_, terms_;
  uint64_t price_ = 0, per_use_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(MarketOfferCommand);
}  // namespace fogline::cli
