// fogline ledger blocks: the chain's blocks (newest last), optionally with their transactions.
#include <cstdio>

#include "cli/command.h"
#include "ledger/home.h"
#include "ledger/tx_type.h"

namespace fogline::cli {
namespace {

class LedgerBlocksCommand : public Command {
 public:
  const char* name() const override { return "ledger blocks"; }
  const char* summary() const override { return "List blocks: height, hash, transactions, log size"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--from", from_, "first height");
    app.add_option("--limit", limit_, "at most this many blocks")->default_val(50);
    app.add_flag("--txs", txs_, "list each block's transactions");
  }
  int run() override {
    auto l = ledger::open_home_ledger(home_.empty() ? ledger::default_home() : home_);
    if (!l.is_ok()) return fail(l.status().message());
    const auto& headers = (*l)->chain().headers();
    for (uint64_t h = from_; h < headers.size() && h < from_ + limit_; ++h) {
      const ledger::BlockHeader& b = headers[h];
      std::printf("%6llu  %s  %4u tx  log %llu  t=%llu", (unsigned long long)h, ledger::hash_hex(b.hash()).c_str(),
                  b.tx_count, (unsigned long long)b.log_size, (unsigned long long)b.timestamp_ms);
      // Blocks of an etcd-ordered chain name their slot and the ordered transactions every peer refused.
      if (b.ordered_externally())
        std::printf("  slot %llu  %u rejected", (unsigned long long)b.slot, b.rejected_count);
      std::printf("\n");
      if (!txs_) continue;
      auto block = (*l)->read_block(h);
      if (!block.is_ok()) return fail(block.status().message());
      for (size_t i = 0; i < block->txs.size(); ++i)
        std::printf("          %s  %s\n", ledger::hash_hex(ledger::sha256(block->tx_bytes[i])).c_str(),
                    ledger::describe_transaction(block->txs[i]).c_str());
      for (const auto& r : block->rejected) {
        auto tx = ledger::Transaction::decode(r.bytes);
        std::printf("          %s  rejected at slot position %u: %s\n", ledger::hash_hex(ledger::sha256(r.bytes)).c_str(),
                    r.position, tx.is_ok() ? ledger::describe_transaction(*tx).c_str() : "undecodable");
      }
    }
    return 0;
  }

 private:
  std::string home_;
  uint64_t from_ = 0, limit_ = 50;
  bool txs_ = false;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerBlocksCommand);
}  // namespace fogline::cli
