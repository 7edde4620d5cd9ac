// fogline ledger peer init: starts a chain ordered by an etcd cluster: a new founder identity
// (HOME/keys/founder.key, sealed under $FOGLINE_PASSPHRASE or, with --seal os, by the OS) signs the genesis, which is written
// to slot 0 of the ordering service. Every peer (`fogline ledger peer run`) then builds block 0
// from it; no peer holds a key that signs blocks.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/commands/seal_option.h"
#include "crypto/key_file.h"
#include "crypto/key_seal.h"
#include "ledger/home.h"
#include "ledger/ordering.h"
#include "ledger/tx/genesis.h"

namespace fogline::cli {
namespace {

class LedgerPeerInitCommand : public Command {
 public:
  const char* name() const override { return "ledger peer init"; }
  const char* summary() const override { return "Write the genesis of an etcd-ordered chain (slot 0)"; }
  void configure(CLI::App& app) override {
    app.add_option("--etcd", etcd_, "etcd members, http://host:port[,...]")->required();
    app.add_option("--prefix", prefix_, "etcd key prefix of this chain's ordered log");
    app.add_option("--home", home_, "Fogline home for the founder's key (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--economy", economy_, "off (provenance only) or credits")->check(CLI::IsMember({"off", "credits"}));
    app.add_option("--chain", chain_, "chain name");
    app.add_option("--founder-name", founder_name_, "the founding organisation's name");
    add_seal_option(app, &seal_, "the founder's key file");
  }
  int run() override {
    std::string home = home_.empty() ? ledger::default_home() : home_;
    auto seal = crypto::choose_key_seal(seal_);
    if (!seal.is_ok()) return fail(seal.status().message());
    auto passphrase = crypto::passphrase_for(*seal, "the founder's private keys are sealed under it");
    if (!passphrase.is_ok()) return fail(passphrase.status().message());
    const std::string& pass = *passphrase;
    std::string key_path = home + "/keys/founder.key";
    if (std::filesystem::exists(key_path)) return fail("'" + key_path + "' exists; refusing to replace the founder's key");
    auto client = ledger::EtcdClient::connect(etcd_);
    if (!client.is_ok()) return fail(client.status().message());
    ledger::EtcdOrdering ordering(std::move(client).value(), prefix_);
    crypto::Identity founder = crypto::Identity::generate(crypto::IdentityKind::kOrganisation, founder_name_);
    Status saved = crypto::save_key_file_sealed(key_path, founder, *seal, pass);
    if (!saved.is_ok()) return fail(saved.message());
    ledger::GenesisTx g;
    g.chain_name = chain_;
    g.economy = economy_ == "credits" ? ledger::Economy::kCredits : ledger::Economy::kOff;
    g.orderer_name = founder_name_;
    g.orderer_box_public = founder.box_public();
    if (g.economy == ledger::Economy::kCredits) g.mint_authority = founder.sign_public();
    ledger::Transaction tx = ledger::make_transaction(ledger::GenesisTx::kCode, founder, 0, g.encode());
    ledger::OrderedBatch batch{ledger::now_ms(), {tx.encode()}};
    Status st = ordering.write_genesis(ledger::encode_batch(batch));
    if (!st.is_ok()) return fail(st.message());
    std::printf("genesis of '%s' (economy %s) in %s\nfounder %s, key %s\n", chain_.c_str(), economy_.c_str(),
                ordering.slot_key(0).c_str(), ledger::key_hex(founder.sign_public()).c_str(), key_path.c_str());
    return 0;
  }

 private:
  std::string etcd_, prefix_ = "fogline/ledger/", home_, economy_ = "off", chain_ = "fogline", founder_name_ = "founder", seal_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerPeerInitCommand);
}  // namespace fogline::cli
