// fogline ledger proof TX: the inclusion proof of a transaction in the log (RFC 6962), as a
// "fogline-proof 1" file for `fogline ledger verify-proof`.
// fogline ledger proof --from-size M [--size N]: the consistency proof between the log at M and
// at N transactions (default: now), in the form `fogline ledger merkle verify-consistency` reads.
#include <cstdio>

#include "cli/command.h"
#include "core/file_util.h"
#include "ledger/home.h"
#include "ledger/proof_file.h"

namespace fogline::cli {
namespace {

class LedgerProofCommand : public Command {
 public:
  const char* name() const override { return "ledger proof"; }
  const char* summary() const override { return "Inclusion proof of a transaction against the log root"; }
  void configure(CLI::App& app) override {
    app.add_option("id", id_, "transaction id (64 hex); omit with --from-size");
    app.add_option("--from-size", from_size_, "print the consistency proof from this log size instead");
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--size", size_, "prove against the log at this size (default: now)");
    app.add_option("--out", out_, "write the proof to this file instead of stdout");
  }
  int run() override {
    if (from_size_ && !id_.empty()) return fail("give a transaction id or --from-size, not both");
    if (!from_size_ && id_.empty()) return fail("give a transaction id (inclusion) or --from-size (consistency)");
    auto l = ledger::open_home_ledger(home_.empty() ? ledger::default_home() : home_);
    if (!l.is_ok()) return fail(l.status().message());
    if (from_size_) return consistency(**l);
    auto id = ledger::hash_from_hex(id_, "transaction id");
    if (!id.is_ok()) return fail(id.status().message());
    auto proof = (*l)->prove(*id, size_);
    if (!proof.is_ok()) return fail(proof.status().message());
    std::string text = ledger::write_proof_file(*proof);
    if (out_.empty()) {
      std::fputs(text.c_str(), stdout);
      return 0;
    }
    Status st = write_file_atomic(out_, text);
    if (!st.is_ok()) return fail(st.message());
    std::printf("wrote %s (log size %llu, root %s)\n", out_.c_str(), (unsigned long long)proof->log_size,
                ledger::hash_hex(proof->log_root).c_str());
    return 0;
  }

  int consistency(const ledger::Ledger& l) {
    const ledger::MerkleTree& log = l.chain().log();
    uint64_t second = size_ ? size_ : log.size();
    auto proof = log.consistency_proof(from_size_, second);
    if (!proof.is_ok()) return fail(proof.status().message());
    std::string text = "first " + std::to_string(from_size_) + "\nsecond " + std::to_string(second) + "\nfirst_root " +
                       ledger::hash_hex(log.root_at(from_size_)) + "\nsecond_root " +
                       ledger::hash_hex(log.root_at(second)) + "\n";
    for (const auto& h : *proof) text += "proof " + ledger::hash_hex(h) + "\n";
    if (out_.empty()) {
      std::fputs(text.c_str(), stdout);
      return 0;
    }
    Status st = write_file_atomic(out_, text);
    return st.is_ok() ? 0 : fail(st.message());
  }

 private:
  std::string id_, home_, out_;
  uint64_t size_ = 0, from_size_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerProofCommand);
}  // namespace fogline::cli
