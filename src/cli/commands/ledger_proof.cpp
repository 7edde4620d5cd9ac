// fogline ledger proof TX: the inclusion proof of a transaction in the log (RFC 6962), as a
// "fogline-proof 1" file for `fogline ledger verify-proof`.
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
    app.add_option("id", id_, "transaction id (64 hex)")->required();
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--size", size_, "prove against the log at this size (default: now)");
    app.add_option("--out", out_, "write the proof to this file instead of stdout");
  }
  int run() override {
    auto id = ledger::hash_from_hex(id_, "transaction id");
    if (!id.is_ok()) return fail(id.status().message());
    auto l = ledger::open_home_ledger(home_.empty() ? ledger::default_home() : home_);
    if (!l.is_ok()) return fail(l.status().message());
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

 private:
  std::string id_, home_, out_;
  uint64_t size_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerProofCommand);
}  // namespace fogline::cli
