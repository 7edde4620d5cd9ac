// fogline rent publish --as OWNER --name N --version V --bundle FILE --price-per-1000 P:
// publishes a model version for rent. The bundle is encrypted under a fresh key (envelope
// encryption, like data records) into the content store HOME/store; that key, sealed to the
// owner, stays with the owner's side (HOME/keys/bundles/<bundle sha256>.sealed) for
// `rent seal` to re-wrap to renting nodes. The ledger records the plaintext bundle's SHA-256.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/commands/ledger_home_options.h"
#include "core/content_store.h"
#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/envelope.h"
#include "ledger/home.h"
#include "ledger/home_session.h"
#include "ledger/tx/model_publish.h"

namespace fogline::cli {
namespace {

class RentPublishCommand : public Command {
 public:
  const char* name() const override { return "rent publish"; }
  const char* summary() const override { return "Publish a model version for rent (price per 1,000 inferences)"; }
  void configure(CLI::App& app) override {
    app.add_option("--as", as_, "the owner's key file name (HOME/keys/NAME.key)")->required();
    app.add_option("--name", name_, "model name")->required();
    app.add_option("--version", version_, "model version")->required();
    app.add_option("--bundle", bundle_, "the model bundle file")->required();
    app.add_option("--price-per-1000", price_, "credits per 1,000 inferences (economy = credits)");
    ledger_home_.add_to(app, true);
  }
  int run() override {
    auto session = ledger_home_.open();
    if (!session.is_ok()) return fail(session.status().message());
    auto who = session->identity(as_);
    if (!who.is_ok()) return fail(who.status().message());
    auto bytes = read_file(bundle_);
    if (!bytes.is_ok()) return fail(bytes.status().message());
    ledger::ModelPublishTx m;
    m.name = name_;
    m.version = version_;
    m.bundle_sha256 = ledger::sha256(*bytes);
    m.price_per_1000 = price_;
    // The owner's side first: a published model whose bundle key was lost could never be rented.
    crypto::Envelope env = crypto::seal_envelope(*bytes, who->box_public());
    auto store = ContentStore::open(session->home() + "/store");
    if (!store.is_ok()) return fail(store.status().message());
    auto blob = store->put(env.blob);
    if (!blob.is_ok()) return fail(blob.status().message());
    std::string key_path = bundle_key_path(session->home(), m.bundle_sha256);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(key_path).parent_path(), ec);
    Status saved = write_file_atomic(key_path, to_hex(env.sealed_key) + "\n");
    if (!saved.is_ok()) return fail(saved.message());
    auto id = session->submit(*who, m.kCode, m.encode());
    if (!id.is_ok()) return fail(id.status().message());
    std::printf("model %s %s@%s, bundle %s\nencrypted bundle %s in %s/store, its key (sealed to %s) in %s\n",
                ledger::hash_hex(*id).c_str(), name_.c_str(), version_.c_str(), ledger::hash_hex(m.bundle_sha256).c_str(),
                blob->c_str(), session->home().c_str(), as_.c_str(), key_path.c_str());
    return 0;
  }
  static std::string bundle_key_path(const std::string& home, const ledger::Hash& bundle) {
    return home + "/keys/bundles/" + ledger::hash_hex(bundle) + ".sealed";
  }

 private:
  LedgerHomeOptions ledger_home_;
  std::string as_, name_, version_, bundle_;
  uint64_t price_ = 0;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(RentPublishCommand);
}  // namespace fogline::cli
