// fogline data verify BLOB --record ID: checks an encrypted record blob (a file, or a digest in
// the content store) against its record on the ledger: size, SHA-256 and the capturing node's
// signature. Needs no key: anyone can check provenance, only the owner can read.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "core/content_store.h"
#include "core/file_util.h"
#include "core/sha256.h"
#include "ledger/data_capture.h"
#include "ledger/home.h"

namespace fogline::cli {
namespace {

class DataVerifyCommand : public Command {
 public:
  const char* name() const override { return "data verify"; }
  const char* summary() const override { return "Check a data record's blob against its ledger record"; }
  void configure(CLI::App& app) override {
    app.add_option("blob", blob_, "the blob: a file, or its SHA-256 in the content store")->required();
    app.add_option("--record", record_, "the record's id (its data_record transaction id)")->required();
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--store", store_, "content store root (default HOME/store)");
  }
  int run() override {
    std::string home = home_.empty() ? ledger::default_home() : home_;
    auto id = ledger::hash_from_hex(record_, "--record");
    if (!id.is_ok()) return fail(id.status().message());
    Result<std::string> blob = std::string();
    if (std::filesystem::is_regular_file(blob_)) {
      blob = read_file(blob_);
    } else if (is_sha256_hex(blob_)) {
      auto store = ContentStore::open(store_.empty() ? home + "/store" : store_);
      if (!store.is_ok()) return fail(store.status().message());
      blob = store->read(blob_);
    } else {
      return fail("'" + blob_ + "' is neither a file nor a SHA-256 digest");
    }
    if (!blob.is_ok()) return fail(blob.status().message());
    auto l = ledger::open_home_ledger(home);
    if (!l.is_ok()) return fail(l.status().message());
    const ledger::DataRecord* rec = (*l)->state().record(*id);
    if (!rec) return fail("no data record " + record_ + " on the ledger");
    Status st = ledger::verify_blob(*rec, *blob);
    if (!st.is_ok()) return fail("record " + record_.substr(0, 16) + ": " + st.message());
    std::printf("ok: %zu bytes, sha256 %s, signed by node %s for owner %s at block %llu\nmetadata: %s\n", blob->size(),
                ledger::hash_hex(rec->blob_sha256).c_str(), ledger::key_hex(rec->node).c_str(),
                ledger::key_hex(rec->owner).c_str(), (unsigned long long)rec->height, rec->metadata.c_str());
    return 0;
  }

 private:
  std::string blob_, record_, home_, store_;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(DataVerifyCommand);
}  // namespace fogline::cli
