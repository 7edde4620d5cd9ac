// fogline ledger merkle consistency --first M LEAF...: the RFC 9162 consistency proof between
// the first M leaves and all of them (or the first --second N).
#include <cstdio>

#include "cli/command.h"
#include "ledger/merkle_cli.h"

namespace fogline::cli {
namespace {

class LedgerMerkleConsistencyCommand : public Command {
 public:
  const char* name() const override { return "ledger merkle consistency"; }
  const char* summary() const override { return "Consistency proof between tree sizes --first and --second of hex leaves"; }
  void configure(CLI::App& app) override {
    app.add_option("leaves", leaves_, "leaf data in hex ('-' for an empty leaf)")->required();
    app.add_option("--first", first_, "the older tree size")->required();
    app.add_option("--second", second_, "the newer tree size (default: all leaves)");
    app.add_flag("--leaf-hashes", leaf_hashes_, "the leaves are already leaf hashes (32 bytes hex)");
  }
  int run() override {
    auto tree = ledger::tree_from_hex_leaves(leaves_, leaf_hashes_);
    if (!tree.is_ok()) return fail(tree.status().message());
    uint64_t second = second_ ? second_ : tree->size();
    auto proof = tree->consistency_proof(first_, second);
    if (!proof.is_ok()) return fail(proof.status().message());
    std::printf("first %llu\nsecond %llu\nfirst_root %s\nsecond_root %s\n", (unsigned long long)first_,
                (unsigned long long)second, ledger::hash_hex(tree->root_at(first_)).c_str(),
                ledger::hash_hex(tree->root_at(second)).c_str());
    for (const auto& h : *proof) std::printf("proof %s\n", ledger::hash_hex(h).c_str());
    return 0;
  }

 private:
  std::vector<std::string> leaves_;
  uint64_t first_ = 0, second_ = 0;
  bool leaf_hashes_ = false;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerMerkleConsistencyCommand);
}  // namespace fogline::cli
