// fogline market offer --as OWNER --name N: lists a dataset (prices need economy = credits).
// Records join it when a node captures them into it (its id is this transaction's id).
#include <cstdio>

#include "cli/command.h"
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
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--etcd", etcd_, "order through these etcd members (default: the peer's, when HOME is a ledger peer's home)");
    app.add_option("--prefix", prefix_, "etcd key prefix of the chain's ordered log");
  }
  int run() override {
    auto session = ledger::HomeSession::open(home_.empty() ? ledger::default_home() : home_, {etcd_, prefix_});
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
  std::string etcd_, prefix_;
  std::string as_, name_, terms_, home_;
  uint64_t price_ = 0, per_use_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(MarketOfferCommand);
}  // namespace fogline::cli
