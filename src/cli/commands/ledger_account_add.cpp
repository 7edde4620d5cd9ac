// fogline ledger account add NAME: a new identity (organisation, user or node) with its key file
// HOME/keys/NAME.key, registered on the ledger under --home.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/commands/seal_option.h"
#include "cli/commands/ledger_home_options.h"
#include "crypto/key_file.h"
#include "crypto/key_seal.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/register_account.h"

namespace fogline::cli {
namespace {

class LedgerAccountAddCommand : public Command {
 public:
  const char* name() const override { return "ledger account add"; }
  const char* summary() const override { return "Create an identity (key file) and register its account"; }
  void configure(CLI::App& app) override {
    app.add_option("name", name_, "account name; the key file is HOME/keys/NAME.key")->required();
    app.add_option("--kind", kind_, "organisation, user or node");
    add_seal_option(app, &seal_, "the key file");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto seal = crypto::choose_key_seal(seal_);
    if (!seal.is_ok()) return fail(seal.status().message());
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    auto kind = crypto::parse_identity_kind(kind_);
    if (!kind.is_ok()) return fail(kind.status().message());
    if (name_ == "orderer" || name_ == "founder" || name_.find('/') != std::string::npos || name_[0] == '.')
      return fail("account name '" + name_ + "' is reserved or not a plain name");
    std::string path = ledger::HomeSession::key_path(session->home(), name_);
    if (std::filesystem::exists(path)) return fail("'" + path + "' exists; refusing to replace an identity");
    crypto::Identity who = crypto::Identity::generate(*kind, name_);
    // The passphrase path is unchanged: an empty passphrase is still accepted here, because the
    // submit below fails without one (no orderer key) and removes the file again.
    Status saved = *seal == crypto::KeySeal::kOs ? crypto::save_key_file_sealed(path, who, *seal, "")
                                                 : crypto::save_key_file(path, who, session->passphrase());
    if (!saved.is_ok()) return fail(saved.message());
    ledger::RegisterAccountTx r;
    r.kind = *kind;
    r.name = name_;
    r.box_public = who.box_public();
    auto id = session->submit(who, r.kCode, r.encode());
    if (!id.is_ok()) {
      std::filesystem::remove(path);  // not on the ledger: the key file would only mislead
      return fail(id.status().message());
    }
    std::printf("account %s (%s) %s\nkey file %s\n", name_.c_str(), kind_.c_str(), ledger::key_hex(who.sign_public()).c_str(),
                path.c_str());
    return 0;
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string name_, kind_ = "user", seal_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerAccountAddCommand);
}  // namespace fogline::cli
