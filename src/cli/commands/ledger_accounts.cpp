// fogline ledger accounts: every registered account, its kind, next nonce and (with economy =
// credits) balance.
#include <algorithm>
#include <cstdio>

#include "cli/command.h"
#include "ledger/home.h"
#include "ledger/home_session.h"

namespace fogline::cli {
namespace {

class LedgerAccountsCommand : public Command {
 public:
  const char* name() const override { return "ledger accounts"; }
  const char* summary() const override { return "List accounts: id, kind, name, next nonce, balance"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--etcd", etcd_, "read the chain from these etcd members (default: the peer's, when HOME is a ledger peer's home)");
    app.add_option("--prefix", prefix_, "etcd key prefix of the chain's ordered log");
  }
  int run() override {
    auto l = ledger::HomeSession::open(home_.empty() ? ledger::default_home() : home_, {etcd_, prefix_});
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
  std::string etcd_, prefix_;
  std::string home_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerAccountsCommand);
}  // namespace fogline::cli
