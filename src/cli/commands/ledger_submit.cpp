// fogline ledger submit: orders transactions through the etcd ordering service as one batch
// (one slot, so one block on every peer). The transactions come from files (hex encodings, one
// per line) or are made here: --register N registers N new throwaway user accounts; --forged K
// adds K with a broken signature and --replay a second copy of the first one, which every peer
// orders and rejects alike.
#include <cstdio>

#include "cli/command.h"
#include "core/file_util.h"
#include "core/sha256.h"
#include "ledger/ledger.h"
#include "ledger/ordering.h"
#include "ledger/tx/register_account.h"

namespace fogline::cli {
namespace {

class LedgerSubmitCommand : public Command {
 public:
  const char* name() const override { return "ledger submit"; }
  const char* summary() const override { return "Order transactions through the etcd ordering service"; }
  void configure(CLI::App& app) override {
    app.add_option("--etcd", etcd_, "etcd members, http://host:port[,...]")->required();
    app.add_option("--prefix", prefix_, "etcd key prefix of the chain's ordered log");
    app.add_option("--tx", files_, "file of hex transaction encodings, one per line");
    app.add_option("--register", register_, "register this many new user accounts");
    app.add_option("--forged", forged_, "add this many transactions with a broken signature");
    app.add_flag("--replay", replay_, "add a second copy of the first transaction");
  }
  int run() override {
    ledger::OrderedBatch batch;
    batch.timestamp_ms = ledger::now_ms();
    for (const auto& f : files_) {
      auto text = read_file(f);
      if (!text.is_ok()) return fail(text.status().message());
      size_t line_no = 0, start = 0;
      while (start < text->size()) {
        size_t nl = text->find('\n', start);
        std::string line = text->substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        start = nl == std::string::npos ? text->size() : nl + 1;
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty()) continue;
        auto bytes = from_hex(line);
        if (!bytes.is_ok()) return fail(f + ":" + std::to_string(line_no) + ": " + bytes.status().message());
        batch.txs.push_back(std::move(bytes).value());
      }
    }
    auto make_register = [] {
      crypto::Identity who = crypto::Identity::generate(crypto::IdentityKind::kUser, "");
      ledger::RegisterAccountTx r;
      r.kind = crypto::IdentityKind::kUser;
      r.name = "user-" + ledger::short_key(who.sign_public());
      r.box_public = who.box_public();
      return ledger::make_transaction(r.kCode, who, 0, r.encode());
    };
    for (int i = 0; i < register_; ++i) batch.txs.push_back(make_register().encode());
    for (int i = 0; i < forged_; ++i) {
      ledger::Transaction tx = make_register();
      tx.signature[0] ^= 0x01;
      batch.txs.push_back(tx.encode());
    }
    if (replay_ && !batch.txs.empty()) batch.txs.push_back(batch.txs.front());
    if (batch.txs.empty()) return fail("nothing to submit (give --tx FILE, --register N or --forged K)");
    auto client = ledger::EtcdClient::connect(etcd_);
    if (!client.is_ok()) return fail(client.status().message());
    ledger::EtcdOrdering ordering(std::move(client).value(), prefix_);
    auto slot = ordering.append(ledger::encode_batch(batch));
    if (!slot.is_ok()) return fail(slot.status().message());
    std::printf("ordered slot %llu: %zu transactions\n", (unsigned long long)*slot, batch.txs.size());
    for (const auto& t : batch.txs) std::printf("%s\n", ledger::hash_hex(ledger::sha256(t)).c_str());
    return 0;
  }

 private:
  std::string etcd_, prefix_ = "fogline/ledger/";
  std::vector<std::string> files_;
  int register_ = 0, forged_ = 0;
  bool replay_ = false;
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerSubmitCommand);
}  // namespace fogline::cli
