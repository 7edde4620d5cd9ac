// fogline ledger tx ID: one transaction: where it is, who sent it, what it does.
#include <cstdio>

#include "cli/command.h"
#include "ledger/home.h"
#include "ledger/tx_type.h"

namespace fogline::cli {
namespace {

class LedgerTxCommand : public Command {
 public:
  const char* name() const override { return "ledger tx"; }
  const char* summary() const override { return "Show a transaction by id"; }
  void configure(CLI::App& app) override {
    app.add_option("id", id_, "transaction id (64 hex)")->required();
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
  }
  int run() override {
    auto id = ledger::hash_from_hex(id_, "transaction id");
    if (!id.is_ok()) return fail(id.status().message());
    auto l = ledger::open_home_ledger(home_.empty() ? ledger::default_home() : home_);
    if (!l.is_ok()) return fail(l.status().message());
    const ledger::TxLocation* loc = (*l)->chain().find_tx(*id);
    if (!loc) return fail("no transaction " + id_ + " on the ledger");
    auto block = (*l)->read_block(loc->height);
    if (!block.is_ok()) return fail(block.status().message());
    const ledger::Transaction& tx = block->txs[loc->index];
    std::printf("id         %s\ntype       %s (%u)\nsender     %s\nnonce      %llu\nblock      %llu #%u\nlog index  %llu\n"
                "what       %s\nbytes      %zu\n",
                id_.c_str(), ledger::tx_type_name(tx.type), tx.type, ledger::key_hex(tx.sender).c_str(),
                (unsigned long long)tx.nonce, (unsigned long long)loc->height, loc->index,
                (unsigned long long)loc->log_index, ledger::describe_transaction(tx).c_str(), block->tx_bytes[loc->index].size());
    return 0;
  }

 private:
  std::string id_, home_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerTxCommand);
}  // namespace fogline::cli
