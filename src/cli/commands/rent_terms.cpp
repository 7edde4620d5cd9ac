// fogline rent terms --rental ID [--node NAME] [--out FILE]: the terms a renting node serves the
// rented model under (`fogline-node serve --model m=PATH,rental=FILE`, docs/node.md "Rented
// models"): the rental, the model's ledger name and version, renter, owner and node keys, the
// price, and the inferences the node may still count: what it has settled plus its share of
// what the prepayment still pays for (the whole of it when it is the rental's only node;
// ledger/rental_view.h, which the hub uses for `fogline deploy --rental` too).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "core/file_util.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/rental_view.h"

namespace fogline::cli {
namespace {

class RentTermsCommand : public Command {
 public:
  const char* name() const override { return "rent terms"; }
  const char* summary() const override { return "Write a rental's terms for a renting node (fogline-node serve ...,rental=FILE)"; }
  void configure(CLI::App& app) override {
    app.add_option("--rental", rental_, "the rental (id, from 'rent start')")->required();
    app.add_option("--node", node_, "the renting node (account name or key; default: the rental's only node)");
    app.add_option("--out", out_, "write the terms here (default: stdout)");
    ledger_home_.add_to(app, false);
  }
  int run() override {
    auto l = ledger_home_.open();
    if (!l.is_ok()) return fail(l.status().message());
    const ledger::State& s = l->state();
    auto id = ledger::hash_from_hex(rental_, "rental id");
    if (!id.is_ok()) return fail(id.status().message());
    const ledger::Rental* r = s.rental(*id);
    if (!r) return fail("no rental " + rental_ + " on the ledger");
    ledger::PublicKey node{};
    if (node_.empty()) {
      if (r->nodes.size() != 1)
        return fail("rental " + rental_ + " has " + std::to_string(r->nodes.size()) + " nodes; give --node");
      node = r->nodes[0].node;
    } else {
      auto key = ledger::find_account(s, node_);
      if (!key.is_ok()) return fail(key.status().message());
      node = *key;
    }
    // The same terms the hub hands a node with a deployment (`fogline deploy --rental`).
    auto terms = ledger::rental_terms_for(s, *id, node);
    if (!terms.is_ok()) return fail(terms.status().message());
    const nlohmann::json& j = *terms;
    std::string text = j.dump(2) + "\n";
    if (out_.empty()) {
      std::fputs(text.c_str(), stdout);
      return 0;
    }
    Status st = write_file_atomic(out_, text);
    if (!st.is_ok()) return fail(st.message());
    const std::string model = j["model"].get<std::string>() + "@" + j["version"].get<std::string>();
    std::printf("terms of rental %s (%s) for node %s in %s\n", rental_.c_str(), model.c_str(),
                ledger::account_label(s, node).c_str(), out_.c_str());
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string rental_, node_, out_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(RentTermsCommand);
}  // namespace fogline::cli
