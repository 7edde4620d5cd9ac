// fogline ledger verify-proof FILE: checks a proof offline (RFC 9162 2.1.3.2). With --root the
// proof must also lead to that root, which the checker got from somewhere it trusts (a signed
// block header); without it only the proof's internal consistency is shown.
#include <cstdio>

#include "cli/command.h"
#include "core/file_util.h"
#include "ledger/proof_file.h"
#include "ledger/tx_type.h"

namespace fogline::cli {
namespace {

class LedgerVerifyProofCommand : public Command {
 public:
  const char* name() const override { return "ledger verify-proof"; }
  const char* summary() const override { return "Check a 'fogline ledger proof' file offline"; }
  void configure(CLI::App& app) override {
    app.add_option("file", file_, "the proof file ('-' for stdin)")->required();
    app.add_option("--root", root_, "the log root you trust (hex); the proof must lead to it");
    app.add_option("--size", size_, "the log size that root belongs to");
  }
  int run() override {
    std::string text;
    if (file_ == "-") {
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) text.append(buf, n);
    } else {
      auto t = read_file(file_, 1 << 24);
      if (!t.is_ok()) return fail(t.status().message());
      text = *t;
    }
    auto proof = ledger::parse_proof_file(text);
    if (!proof.is_ok()) return fail(proof.status().message());
    if (!root_.empty()) {
      auto root = ledger::hash_from_hex(root_, "--root");
      if (!root.is_ok()) return fail(root.status().message());
      if (*root != proof->log_root)
        return fail("the proof is against root " + ledger::hash_hex(proof->log_root) + ", not the trusted " + root_);
    }
    if (size_ && size_ != proof->log_size)
      return fail("the proof is for log size " + std::to_string(proof->log_size) + ", not " + std::to_string(size_));
    Status st = ledger::verify_proof(*proof);
    if (!st.is_ok()) return fail(st.message());
    std::printf("ok: transaction %s (%s) is leaf %llu of the log of %llu with root %s%s\n",
                ledger::hash_hex(proof->tx_id).c_str(), ledger::describe_transaction(proof->tx).c_str(),
                (unsigned long long)proof->log_index, (unsigned long long)proof->log_size,
                ledger::hash_hex(proof->log_root).c_str(), root_.empty() ? " (root not checked against a trusted one)" : "");
    return 0;
  }

 private:
  std::string file_, root_;
  uint64_t size_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerVerifyProofCommand);
}  // namespace fogline::cli
