// fogline ledger merkle root LEAF...: the RFC 6962 Merkle tree hash of hex leaf data (or of leaf
// hashes with --leaf-hashes), to compare with other implementations' test vectors.
#include <cstdio>

#include "cli/command.h"
#include "ledger/merkle_cli.h"

namespace fogline::cli {
namespace {

class LedgerMerkleRootCommand : public Command {
 public:
  const char* name() const override { return "ledger merkle root"; }
  const char* summary() const override { return "RFC 6962 Merkle tree hash of hex leaves (no leaves: the empty tree)"; }
  void configure(CLI::App& app) override {
    app.add_option("leaves", leaves_, "leaf data in hex ('-' for an empty leaf)");
    app.add_flag("--leaf-hashes", leaf_hashes_, "the leaves are already leaf hashes (32 bytes hex)");
  }
  int run() override {
    auto tree = ledger::tree_from_hex_leaves(leaves_, leaf_hashes_);
    if (!tree.is_ok()) return fail(tree.status().message());
    std::printf("%s\n", ledger::hash_hex(tree->root()).c_str());
    return 0;
  }

 private:
  std::vector<std::string> leaves_;
  bool leaf_hashes_ = false;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerMerkleRootCommand);
}  // namespace fogline::cli
