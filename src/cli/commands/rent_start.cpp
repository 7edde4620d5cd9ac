// fogline rent start --as RENTER --model M --keys FILE [--prepaid N]: rents a model for
// the nodes in FILE (lines "node-key sealed-bundle-key" from the owner's `rent seal`), prepaying
// N credits into the rental with economy = credits. The rental's id is this transaction's id.
#include <cstdio>
#include <sstream>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "core/file_util.h"
#include "core/sha256.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/rental_start.h"

namespace fogline::cli {
namespace {

class RentStartCommand : public Command {
 public:
  const char* name() const override { return "rent start"; }
  const char* summary() const override { return "Rent a model for some nodes, prepaying credits"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the renter's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--model", model_, "model id, name@version or name")->required();
    app.add_option("--keys", keys_, "the owner's 'rent seal' output")->required();
    app.add_option("--prepaid", prepaid_, "credits prepaid (economy = credits)");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    const ledger::State& s = session->state();
    auto model = ledger::find_model(s, model_);
    if (!model.is_ok()) return fail(model.status().message());
    auto text = read_file(keys_);
    if (!text.is_ok()) return fail(text.status().message());
    ledger::RentalStartTx r;
    r.model = *model;
    r.prepaid = prepaid_;
    std::istringstream in(*text);
    std::string node_hex, sealed_hex;
    while (in >> node_hex >> sealed_hex) {
      auto node = ledger::find_account(s, node_hex);
      if (!node.is_ok()) return fail(keys_ + ": " + node.status().message());
      auto sealed = from_hex(sealed_hex);
      if (!sealed.is_ok()) return fail(keys_ + ": " + sealed.status().message());
      r.nodes.push_back(ledger::RentalNode{*node, *sealed, 0});
    }
    if (r.nodes.empty()) return fail(keys_ + ": no 'node-key sealed-key' lines");
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    auto id = session->submit(*who, r.kCode, r.encode());
    if (!id.is_ok()) return fail(id.status().message());
    const ledger::Model* m = s.model(*model);
    std::printf("rental %s: %s@%s for %zu nodes, prepaid %llu\n", ledger::hash_hex(*id).c_str(), m->name.c_str(),
                m->version.c_str(), r.nodes.size(), (unsigned long long)prepaid_);
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string as_, model_, keys_;
  uint64_t prepaid_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(RentStartCommand);
}  // namespace fogline::cli
