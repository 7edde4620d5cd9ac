// fogline ledger accounts: every registered account, its kind, next nonce and (with economy =
// credits) balance.
#include <algorithm>
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"

namespace fogline::cli {
namespace {

class LedgerAccountsCommand : public Command {
 public:
  const char* name() const override { return "ledger accounts"; }
  const char* summary() const override { return "List accounts: id, kind, name, next nonce, balance"; }
  void configure(CLI::App& app) override {
    ledger_home_.add_to(app, false);
  }
  int run() override {
    auto l = ledger_home_.open();
    if (!l.is_ok()) return fail(l.status().message());
    std::vector<std::pair<std::string, const ledger::Account*>> rows;
    for (const auto& [key, a] : l->state().accounts()) rows.emplace_back(ledger::key_hex(key), &a);
    std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.second->name < y.second->name; });
    std::printf("%-64s  %-12s  %-20s  %8s  %s\n", "account", "kind", "name", "nonce", "balance");
    for (const auto& [key, a] : rows)
      std::printf("%-64s  %-12s  %-20s  %8llu  %s\n", key.c_str(), crypto::identity_kind_name(a->kind), a->name.c_str(),
                  (unsigned long long)a->next_nonce, a->balance ? std::to_string(*a->balance).c_str() : "-");
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerAccountsCommand);
}  // namespace fogline::cli
