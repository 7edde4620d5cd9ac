// fogline ledger demo: fills the ledger under --home with a small, real story: an organisation,
// its camera node and a buyer register; the node captures three encrypted records into a
// dataset; the buyer gets access (paying through escrow with economy = credits) and records a
// training run's use of the data. The organisation authorises its node before it records.
// Key files go to HOME/keys (under $FOGLINE_PASSPHRASE, or sealed by the OS with --seal os or
// $FOGLINE_KEY_SEAL=os), blobs to HOME/store.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/seal_option.h"
#include "crypto/key_file.h"
#include "crypto/key_seal.h"
#include "ledger/data_capture.h"
#include "ledger/home.h"
#include "ledger/tx/data_use.h"
#include "ledger/tx/dataset_create.h"
#include "ledger/tx/escrow_create.h"
#include "ledger/tx/mint.h"
#include "ledger/tx/node_authorize.h"
#include "ledger/tx/register_account.h"

namespace fogline::cli {
namespace {

using crypto::Identity;
using crypto::IdentityKind;

class LedgerDemoCommand : public Command {
 public:
  const char* name() const override { return "ledger demo"; }
  const char* summary() const override { return "Add demo accounts, encrypted data records, a grant and a data use"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    add_seal_option(app, &seal_, "the demo identities' key files");
  }
  int run() override {
    std::string home = home_.empty() ? ledger::default_home() : home_;
    auto seal = crypto::choose_key_seal(seal_);
    if (!seal.is_ok()) return fail(seal.status().message());
    auto passphrase = crypto::passphrase_for(*seal, "the orderer's and the demo identities' key files are sealed under it");
    if (!passphrase.is_ok()) return fail(passphrase.status().message());
    const std::string& pass = *passphrase;
    // An OS-sealed orderer key (ledger init --seal os) opens without the passphrase.
    const std::string orderer_path = ledger::orderer_key_path(home);
    auto sealed_by_os = crypto::is_os_sealed_key_file(orderer_path);
    if (pass.empty() && sealed_by_os.is_ok() && !*sealed_by_os)
      return fail(orderer_path + " is sealed under a passphrase: set FOGLINE_PASSPHRASE");
    auto orderer = crypto::load_key_file(orderer_path, pass);
    if (!orderer.is_ok()) return fail(orderer.status().message());
    auto l = ledger::open_home_ledger(home);
    if (!l.is_ok()) return fail(l.status().message());
    ledger::Ledger& lg = **l;
    auto store = ContentStore::open(home + "/store");
    if (!store.is_ok()) return fail(store.status().message());
    bool credits = lg.state().economy == ledger::Economy::kCredits;

    struct Who {
      Identity id;
      uint64_t nonce = 0;
    };
    std::vector<std::pair<std::string, Who>> people;
    auto submit = [&](Who& who, uint16_t type, std::string body, const char* what) -> Result<ledger::Hash> {
      ledger::Transaction tx = ledger::make_transaction(type, who.id, who.nonce, std::move(body));
      auto r = lg.submit({tx}, *orderer);
      if (!r.is_ok()) return r.status();
      if (!r->statuses[0].is_ok()) return r->statuses[0].with_context(what);
      ++who.nonce;
      std::printf("%-16s %s\n", what, ledger::hash_hex(r->ids[0]).c_str());
      return r->ids[0];
    };
    std::string suffix = std::to_string(lg.state().height);
    Who acme{Identity::generate(IdentityKind::kOrganisation, "acme-" + suffix)};
    Who cam{Identity::generate(IdentityKind::kNode, "cam-" + suffix)};
    Who buyer{Identity::generate(IdentityKind::kUser, "buyer-" + suffix)};
    for (Who* w : {&acme, &cam, &buyer}) {
      std::string path = home + "/keys/" + w->id.name() + ".key";
      Status st = crypto::save_key_file_sealed(path, w->id, *seal, pass);
      if (!st.is_ok()) return fail(st.message());
      ledger::RegisterAccountTx r;
      r.kind = w->id.kind();
      r.name = w->id.name();
      r.box_public = w->id.box_public();
      auto id = submit(*w, r.kCode, r.encode(), "register");
      if (!id.is_ok()) return fail(id.status().message());
    }
    ledger::NodeAuthorizeTx auth;
    auth.node = cam.id.sign_public();
    if (auto id = submit(acme, auth.kCode, auth.encode(), "authorise node"); !id.is_ok()) return fail(id.status().message());
    ledger::DatasetCreateTx ds;
    ds.name = "entrance-" + suffix;
    ds.price = credits ? 50 : 0;
    ds.price_per_use = credits ? 2 : 0;
    ds.terms = "evaluation and training inside the buyer's organisation";
    auto dataset = submit(acme, ds.kCode, ds.encode(), "dataset");
    if (!dataset.is_ok()) return fail(dataset.status().message());
    for (int i = 0; i < 3; ++i) {
      std::string item = "frame " + std::to_string(i) + ": 2 people, 1 bicycle";
      auto rec = ledger::capture_record(cam.id, acme.id.sign_public(), acme.id.box_public(), item,
                                        "camera=" + cam.id.name() + " frame=" + std::to_string(i), *dataset, *store);
      if (!rec.is_ok()) return fail(rec.status().message());
      auto id = submit(cam, ledger::DataRecordTx::kCode, rec->tx.encode(), "record");
      if (!id.is_ok()) return fail(id.status().message());
      std::printf("%-16s %s\n", "  blob", rec->blob_sha256_hex.c_str());
    }
    ledger::Hash escrow{};
    if (credits) {
      ledger::MintTx m;
      m.to = buyer.id.sign_public();
      m.amount = 100;
      Who mint{*orderer, lg.state().account(orderer->sign_public())->next_nonce};
      if (auto id = submit(mint, m.kCode, m.encode(), "mint"); !id.is_ok()) return fail(id.status().message());
      ledger::EscrowCreateTx e;
      e.payee = acme.id.sign_public();
      e.amount = 50;
      e.refundable_from_height = lg.state().height + 100;
      auto id = submit(buyer, e.kCode, e.encode(), "escrow");
      if (!id.is_ok()) return fail(id.status().message());
      escrow = *id;
    }
    auto grant = ledger::make_grant(lg.state(), acme.id, *dataset, buyer.id.sign_public(), escrow);
    if (!grant.is_ok()) return fail(grant.status().message());
    if (auto id = submit(acme, ledger::GrantTx::kCode, grant->encode(), "grant"); !id.is_ok())
      return fail(id.status().message());
    ledger::DataUseTx use;
    use.dataset = *dataset;
    use.run = ledger::sha256("demo training run " + suffix);
    use.purpose = "train";
    use.uses = 3;
    if (auto id = submit(buyer, use.kCode, use.encode(), "data use"); !id.is_ok()) return fail(id.status().message());
    std::printf("keys in %s/keys, blobs in %s/store\n", home.c_str(), home.c_str());
    return 0;
  }

 private:
  std::string seal_;
  std::string home_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerDemoCommand);
}  // namespace fogline::cli
