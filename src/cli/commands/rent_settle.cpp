// fogline rent settle --as NAME --reports FILE [--rental ID]: settles a batch of a node's signed
// usage counter reports (one hex encoding per line, crypto/usage_counter.h) in one usage_settle
// transaction: the inferences they add, the Merkle root over them and the last report, which
// the ledger checks. The node itself, the renter or the owner may send it. A batch beyond the
// prepaid credit is refused and says so.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/usage_report.h"

namespace fogline::cli {
namespace {

class RentSettleCommand : public Command {
 public:
  const char* name() const override { return "rent settle"; }
  const char* summary() const override { return "Settle a batch of a node's signed usage counter reports"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "who sends it: the node, the renter or the owner (HOME/keys/NAME.key)")->required();
    app.add_option("--reports", reports_, "file of signed counter reports, one hex encoding per line")->required();
    app.add_option("--rental", rental_, "the rental (id), when the reports fit several");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto reports = ledger::read_usage_reports(reports_);
    if (!reports.is_ok()) return fail(reports.status().message());
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    ledger::Hash hint{};
    if (!rental_.empty()) {
      auto h = ledger::hash_from_hex(rental_, "rental id");
      if (!h.is_ok()) return fail(h.status().message());
      hint = *h;
    }
    auto rental = ledger::find_rental_for(session->state(), reports->front(), hint);
    if (!rental.is_ok()) return fail(rental.status().message());
    auto tx = ledger::settle_reports(session->state(), *rental, *reports);
    if (!tx.is_ok()) return fail(reports_ + ": " + tx.status().message());
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    auto id = session->submit(*who, tx->kCode, tx->encode());
    if (!id.is_ok()) return fail("settling " + reports_ + ": " + id.status().message());
    const ledger::Rental* r = session->state().rental(*rental);
    std::printf("settled %llu inferences in %u reports (sequences %llu..%llu, root %s) for rental %s: tx %s\n",
                (unsigned long long)tx->inferences, tx->report_count, (unsigned long long)tx->first_sequence,
                (unsigned long long)tx->last_sequence, ledger::hash_hex(tx->reports_root).c_str(),
                ledger::hash_hex(*rental).c_str(), ledger::hash_hex(*id).c_str());
    if (r) std::printf("paid %llu, prepaid left %llu\n", (unsigned long long)r->paid, (unsigned long long)r->prepaid);
    if (r && r->exhausted) std::printf("rental exhausted: %s\n", ledger::rental_exhausted_reason(*r).c_str());
    return 0;
  }

 private:
  std::string as_, reports_, rental_;
  LedgerHomeOptions ledger_home_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(RentSettleCommand);
}  // namespace fogline::cli
