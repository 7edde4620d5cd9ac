// fogline ledger merkle verify-consistency: checks a consistency proof offline with the
// algorithm of RFC 9162 2.1.4.2. Exit 0 and "ok" when it holds, else the failing check.
#include <cstdio>

#include "cli/command.h"
#include "ledger/merkle.h"

namespace fogline::cli {
namespace {

class LedgerMerkleVerifyConsistencyCommand : public Command {
 public:
  const char* name() const override { return "ledger merkle verify-consistency"; }
  const char* summary() const override { return "Verify an RFC 9162 consistency proof (hex) between two roots"; }
  void configure(CLI::App& app) override {
    app.add_option("proof", proof_, "proof hashes in hex, in order");
    app.add_option("--first", first_, "the older tree size")->required();
    app.add_option("--second", second_, "the newer tree size")->required();
    app.add_option("--first-root", first_root_, "root of the older tree (hex)")->required();
    app.add_option("--second-root", second_root_, "root of the newer tree (hex)")->required();
  }
  int run() override {
    auto a = ledger::hash_from_hex(first_root_, "--first-root");
    if (!a.is_ok()) return fail(a.status().message());
    auto b = ledger::hash_from_hex(second_root_, "--second-root");
    if (!b.is_ok()) return fail(b.status().message());
    auto proof = ledger::parse_hash_list(proof_, "proof hash");
    if (!proof.is_ok()) return fail(proof.status().message());
    Status st = ledger::verify_consistency(first_, second_, *a, *b, *proof);
    if (!st.is_ok()) return fail(st.message());
    std::printf("ok\n");
    return 0;
  }

 private:
  std::vector<std::string> proof_;
  std::string first_root_, second_root_;
  uint64_t first_ = 0, second_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerMerkleVerifyConsistencyCommand);
}  // namespace fogline::cli
