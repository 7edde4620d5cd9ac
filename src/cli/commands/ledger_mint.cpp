// fogline ledger mint --to ACCOUNT --amount N: the mint authority issues credits (economy = credits).
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/mint.h"

namespace fogline::cli {
namespace {

class LedgerMintCommand : public Command {
 public:
  const char* name() const override { return "ledger mint"; }
  const char* summary() const override { return "Issue credits to an account (the mint authority)"; }
  void configure(CLI::App& app) override {
    app.add_option("--to", to_, "account name or key")->required();
    app.add_option("--amount", amount_, "credits")->required();
    app.add_option("--as", as_, "the mint authority's key file name (default: the orderer)");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    auto to = ledger::find_account(session->state(), to_);
    if (!to.is_ok()) return fail(to.status().message());
    ledger::MintTx m;
    m.to = *to;
    m.amount = amount_;
    auto id = session->submit(*who, m.kCode, m.encode());
    if (!id.is_ok()) return fail(id.status().message());
    const ledger::Account* a = session->state().account(*to);
    std::printf("minted %llu to %s (balance %llu)\ntx %s\n", (unsigned long long)amount_, to_.c_str(),
                (unsigned long long)a->balance.value_or(0), ledger::hash_hex(*id).c_str());
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string to_, as_ = "orderer";
  uint64_t amount_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerMintCommand);
}  // namespace fogline::cli
