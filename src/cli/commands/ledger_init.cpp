// fogline ledger init: creates a ledger under HOME/ledger with a new orderer identity (its key
// file HOME/keys/orderer.key, sealed under $FOGLINE_PASSPHRASE, or by the OS with --seal os)
// and block 0 holding the genesis.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/commands/seal_option.h"
#include "crypto/key_file.h"
#include "crypto/key_seal.h"
#include "ledger/home.h"

namespace fogline::cli {
namespace {

class LedgerInitCommand : public Command {
 public:
  const char* name() const override { return "ledger init"; }
  const char* summary() const override { return "Create a ledger (solo orderer) under --home"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--economy", economy_, "off (provenance only) or credits")->check(CLI::IsMember({"off", "credits"}));
    app.add_option("--chain", chain_, "chain name");
    app.add_option("--orderer-name", orderer_name_, "the orderer organisation's name");
    add_seal_option(app, &seal_, "the orderer's key file");
  }
  int run() override {
    std::string home = home_.empty() ? ledger::default_home() : home_;
    auto seal = crypto::choose_key_seal(seal_);
    if (!seal.is_ok()) return fail(seal.status().message());
    auto passphrase = crypto::passphrase_for(*seal, "the orderer's private keys are sealed under it");
    if (!passphrase.is_ok()) return fail(passphrase.status().message());
    const std::string& pass = *passphrase;
    std::string key_path = ledger::orderer_key_path(home);
    std::string dir = ledger::Ledger::ledger_dir(home);
    if (std::filesystem::exists(ledger::BlockStore::index_path(dir)) &&
        std::filesystem::file_size(ledger::BlockStore::index_path(dir)) > 0)
      return fail("'" + dir + "' already holds a ledger");
    // Never overwrite an identity: a lost orderer key is a ledger nobody can extend.
    if (std::filesystem::exists(key_path)) return fail("'" + key_path + "' exists; refusing to replace the orderer's key");
    crypto::Identity orderer = crypto::Identity::generate(crypto::IdentityKind::kOrganisation, orderer_name_);
    // The key first: a ledger whose orderer key was never saved could not be extended.
    Status saved = crypto::save_key_file_sealed(key_path, orderer, *seal, pass);
    if (!saved.is_ok()) return fail(saved.message());
    ledger::GenesisTx g;
    g.chain_name = chain_;
    g.economy = economy_ == "credits" ? ledger::Economy::kCredits : ledger::Economy::kOff;
    g.orderer_name = orderer_name_;
    g.orderer_box_public = orderer.box_public();
    // With credits the orderer organisation is also the mint authority until a later version
    // lets the genesis name another.
    if (g.economy == ledger::Economy::kCredits) g.mint_authority = orderer.sign_public();
    auto created = ledger::Ledger::create(dir, g, orderer);
    if (!created.is_ok()) return fail(created.status().message());
    std::printf("created ledger '%s' (economy %s) in %s\norderer %s, key %s%s\n", chain_.c_str(), economy_.c_str(),
                ledger::Ledger::ledger_dir(home).c_str(), ledger::key_hex(orderer.sign_public()).c_str(), key_path.c_str(),
                *seal == crypto::KeySeal::kOs ? " (sealed by the OS)" : "");
    return 0;
  }

 private:
  std::string home_, economy_ = "off", chain_ = "fogline", orderer_name_ = "orderer", seal_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerInitCommand);
}  // namespace fogline::cli
