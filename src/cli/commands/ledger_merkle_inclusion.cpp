// fogline ledger merkle inclusion --index I LEAF...: the RFC 9162 inclusion proof (PATH) of
// leaf I in the tree of the given leaves (or of its first --size leaves).
#include <cstdio>

#include "cli/command.h"
#include "ledger/merkle_cli.h"

namespace fogline::cli {
namespace {

class LedgerMerkleInclusionCommand : public Command {
 public:
  const char* name() const override { return "ledger merkle inclusion"; }
  const char* summary() const override { return "Inclusion proof of leaf --index in the tree of hex leaves"; }
  void configure(CLI::App& app) override {
    app.add_option("leaves", leaves_, "leaf data in hex ('-' for an empty leaf)")->required();
    app.add_option("--index", index_, "leaf index (0-based)")->required();
    app.add_option("--size", size_, "tree size (default: all leaves)");
    app.add_flag("--leaf-hashes", leaf_hashes_, "the leaves are already leaf hashes (32 bytes hex)");
  }
  int run() override {
    auto tree = ledger::tree_from_hex_leaves(leaves_, leaf_hashes_);
    if (!tree.is_ok()) return fail(tree.status().message());
    uint64_t size = size_ ? size_ : tree->size();
    auto proof = tree->inclusion_proof(index_, size);
    if (!proof.is_ok()) return fail(proof.status().message());
    std::printf("tree_size %llu\nleaf_index %llu\nleaf_hash %s\nroot %s\n", (unsigned long long)size,
                (unsigned long long)index_, ledger::hash_hex(tree->leaf(index_)).c_str(),
                ledger::hash_hex(tree->root_at(size)).c_str());
    for (const auto& h : *proof) std::printf("proof %s\n", ledger::hash_hex(h).c_str());
    return 0;
  }

 private:
  std::vector<std::string> leaves_;
  uint64_t index_ = 0, size_ = 0;
  bool leaf_hashes_ = false;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerMerkleInclusionCommand);
}  // namespace fogline::cli
