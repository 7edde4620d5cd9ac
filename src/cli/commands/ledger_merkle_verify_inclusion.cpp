// fogline ledger merkle verify-inclusion: checks an inclusion proof offline with the algorithm of
// RFC 9162 2.1.3.2. Exit 0 and "ok" when it holds, else the failing check.
#include <cstdio>

#include "cli/command.h"
#include "core/sha256.h"
#include "ledger/merkle.h"

namespace fogline::cli {
namespace {

class LedgerMerkleVerifyInclusionCommand : public Command {
 public:
  const char* name() const override { return "ledger merkle verify-inclusion"; }
  const char* summary() const override { return "Verify an RFC 9162 inclusion proof (hex) against a root"; }
  void configure(CLI::App& app) override {
    app.add_option("proof", proof_, "proof hashes in hex, in order");
    auto* leaf = app.add_option("--leaf", leaf_, "the leaf data in hex");
    auto* leaf_hash = app.add_option("--leaf-hash", leaf_hash_, "the leaf hash in hex");
    leaf->excludes(leaf_hash);
    app.add_option("--index", index_, "leaf index (0-based)")->required();
    app.add_option("--size", size_, "tree size")->required();
    app.add_option("--root", root_, "the tree's root hash in hex")->required();
  }
  int run() override {
    ledger::Hash leaf;
    if (!leaf_hash_.empty()) {
      auto h = ledger::hash_from_hex(leaf_hash_, "--leaf-hash");
      if (!h.is_ok()) return fail(h.status().message());
      leaf = *h;
    } else {
      auto data = from_hex(leaf_);
      if (!data.is_ok()) return fail(data.status().with_context("--leaf").message());
      leaf = ledger::leaf_hash(*data);
    }
    auto root = ledger::hash_from_hex(root_, "--root");
    if (!root.is_ok()) return fail(root.status().message());
    auto proof = ledger::parse_hash_list(proof_, "proof hash");
    if (!proof.is_ok()) return fail(proof.status().message());
    Status st = ledger::verify_inclusion(leaf, index_, size_, *proof, *root);
    if (!st.is_ok()) return fail(st.message());
    std::printf("ok\n");
    return 0;
  }

 private:
  std::vector<std::string> proof_;
  std::string leaf_, leaf_hash_, root_;
  uint64_t index_ = 0, size_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerMerkleVerifyInclusionCommand);
}  // namespace fogline::cli
