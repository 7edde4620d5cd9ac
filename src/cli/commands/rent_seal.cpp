// fogline rent seal --as OWNER --model M --node NODE...: the owner's side of a rental:
// opens the model's bundle key (sealed to the owner by `rent publish`) and seals it to each
// renting node's X25519 key. Prints "node-key sealed-key" lines (hex) for `rent start --keys`;
// they are safe to hand to the renter: only each node can open its line.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/envelope.h"
#include "ledger/home.h"
#include "ledger/home_session.h"

namespace fogline::cli {
namespace {

class RentSealCommand : public Command {
 public:
  const char* name() const override { return "rent seal"; }
  const char* summary() const override { return "Seal a model's bundle key to renting nodes (the owner's side)"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the model owner's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--model", model_, "model id, name@version or name")->required();
    app.add_option("--node", nodes_, "a renting node: account name or key")->required();
    app.add_option("--out", out_, "write the lines to this file (default: stdout)");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    const ledger::State& s = session->state();
    auto model = ledger::find_model(s, model_);
    if (!model.is_ok()) return fail(model.status().message());
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    const ledger::Model* m = s.model(*model);
    if (m->owner != who->sign_public()) return fail("'" + as_ + "' does not own model " + m->name + "@" + m->version);
    std::string key_path = session->home() + "/keys/bundles/" + ledger::hash_hex(m->bundle_sha256) + ".sealed";
    auto hex = read_file(key_path);
    if (!hex.is_ok()) return fail("the bundle key of " + m->name + "@" + m->version + ": " + hex.status().message());
    while (!hex->empty() && (hex->back() == '\n' || hex->back() == ' ')) hex->pop_back();
    auto sealed = from_hex(*hex);
    if (!sealed.is_ok()) return fail(key_path + ": " + sealed.status().message());
    std::string lines;
    for (const auto& n : nodes_) {
      auto node = ledger::find_account(s, n);
      if (!node.is_ok()) return fail(node.status().message());
      auto for_node = crypto::rewrap_data_key(*sealed, *who, s.account(*node)->box_public);
      if (!for_node.is_ok()) return fail(for_node.status().message());
      lines += ledger::key_hex(*node) + " " + to_hex(*for_node) + "\n";
    }
    if (out_.empty()) {
      std::fputs(lines.c_str(), stdout);
      return 0;
    }
    Status st = write_file_atomic(out_, lines);
    if (!st.is_ok()) return fail(st.message());
    std::printf("bundle key of %s@%s sealed to %zu nodes in %s\n", m->name.c_str(), m->version.c_str(), nodes_.size(),
                out_.c_str());
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string as_, model_, out_;
  std::vector<std::string> nodes_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(RentSealCommand);
}  // namespace fogline::cli
