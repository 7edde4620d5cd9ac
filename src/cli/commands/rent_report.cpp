// fogline rent report --as NODE --model NAME@VERSION --renter KEY --inferences N --sequence S:
// signs one usage counter report with the node's key and appends its hex encoding to --out (what
// a node serving a rented model does as it meters; crypto/usage_counter.h). N is cumulative.
#include <cstdio>
#include <cstdlib>

#include "cli/command.h"
#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/key_file.h"
#include "crypto/usage_counter.h"
#include "ledger/home.h"
#include "ledger/home_session.h"

namespace fogline::cli {
namespace {

class RentReportCommand : public Command {
 public:
  const char* name() const override { return "rent report"; }
  const char* summary() const override { return "Sign a usage counter report as a node (cumulative inferences)"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the node's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--model", model_, "NAME@VERSION of the rented model")->required();
    app.add_option("--renter", renter_, "the renter's public key (64 hex)")->required();
    app.add_option("--inferences", inferences_, "cumulative inference count")->required();
    app.add_option("--sequence", sequence_, "report number, from 1")->required();
    app.add_option("--out", out_, "append the report's hex encoding to this file")->required();
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
  }
  int run() override {
    const char* pass = std::getenv("FOGLINE_PASSPHRASE");
    if (!pass || !*pass) return fail("set FOGLINE_PASSPHRASE: the node's key file is sealed under it");
    std::string home = home_.empty() ? ledger::default_home() : home_;
    auto node = crypto::load_key_file(ledger::HomeSession::key_path(home, as_), pass);
    if (!node.is_ok()) return fail(node.status().message());
    size_t at = model_.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == model_.size())
      return fail("--model '" + model_ + "': expected NAME@VERSION");
    auto renter = crypto::public_key_from_hex(renter_, "--renter");
    if (!renter.is_ok()) return fail(renter.status().message());
    crypto::UsageCounter c = crypto::sign_usage_counter(*node, model_.substr(0, at), model_.substr(at + 1), *renter,
                                                        inferences_, sequence_, ledger::now_ms());
    auto old = read_file(out_);
    std::string text = old.is_ok() ? *old : std::string();
    Status st = write_file_atomic(out_, text + to_hex(c.encode()) + "\n");
    if (!st.is_ok()) return fail(st.message());
    std::printf("report %llu: %llu inferences of %s, signed by %s\n", (unsigned long long)sequence_,
                (unsigned long long)inferences_, model_.c_str(), ledger::short_key(node->sign_public()).c_str());
    return 0;
  }

 private:
  std::string as_, model_, renter_, out_, home_;
  uint64_t inferences_ = 0, sequence_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(RentReportCommand);
}  // namespace fogline::cli
