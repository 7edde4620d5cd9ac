// The hub's embedded orderer on the real `fogline hub` process: a ledger home made by
// `fogline ledger init`, signed transactions submitted over REST (committed, or rejected with
// the reason: replayed nonce, forged signature, wrong role), the status, accounts, blocks and
// an inclusion proof read back and checked offline, and the chain verified by
// `fogline ledger verify` after the hub stopped. A hub without a ledger says how to start one.
#include <gmock/gmock.h>

#include <cstdlib>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/key_file.h"
#include "hub_fixture.h"
#include "ledger/proof_file.h"
#include "ledger/transaction.h"
#include "ledger/tx/mint.h"
#include "ledger/tx/register_account.h"
#include "node/agent/hub_client.h"

namespace fogline::hub::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr const char* kPass = "hub-ledger-test";

class HubLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("hub-ledger");
    home_ = dir_ + "/home";
    ledger_home_ = dir_ + "/ledger-home";
    setenv("FOGLINE_PASSPHRASE", kPass, 1);
    EXPECT_THAT(fogline_out({"ledger", "init", "--home", ledger_home_, "--economy", "credits"}), HasSubstr("created ledger"));
    developer_ = fogline_out({"hub", "token", "create", "--role", "developer", "--home", home_});
    viewer_ = fogline_out({"hub", "token", "create", "--role", "viewer", "--home", home_});
  }
  void TearDown() override {
    hub_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // The hub with its ledger (the environment form of --ledger-home), or without one.
  bool start_hub(bool with_ledger) {
    if (with_ledger) setenv("FOGLINE_HUB_LEDGER_HOME", ledger_home_.c_str(), 1);
    bool ok = hub_.start(home_, "");
    unsetenv("FOGLINE_HUB_LEDGER_HOME");
    return ok;
  }
  node::agent::HttpReply call(const std::string& method, const std::string& target, const std::string& token,
                              const std::string& body = "") {
    std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token}};
    auto r = node::agent::http_request(hub_.url(), method, target, body, headers);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : node::agent::HttpReply{};
  }
  node::agent::HttpReply submit(const std::vector<ledger::Transaction>& txs, const std::string& token) {
    Json body{{"transactions", Json::array()}};
    for (const auto& tx : txs) body["transactions"].push_back(to_hex(tx.encode()));
    return call("POST", "/api/ledger/transactions", token, body.dump());
  }
  Json get_json(const std::string& target) {
    auto r = call("GET", target, viewer_);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  }

  std::string dir_, home_, ledger_home_, developer_, viewer_;
  HubProcess hub_;
};

ledger::Transaction register_tx(const crypto::Identity& who, uint64_t nonce) {
  ledger::RegisterAccountTx body;
  body.kind = who.kind();
  body.name = who.name();
  body.box_public = who.box_public();
  return ledger::make_transaction(body.kCode, who, nonce, body.encode());
}

TEST_F(HubLedgerTest, OrdersSignedTransactionsAndServesBlocksAndProofs) {
  ASSERT_TRUE(start_hub(true)) << hub_.error();
  Json status = get_json("/api/ledger");
  EXPECT_EQ(status["economy"], "credits");
  const uint64_t height0 = status["height"];
  const std::string orderer_key = status["orderer"];

  auto alice = crypto::Identity::generate(crypto::IdentityKind::kUser, "alice");
  ledger::Transaction reg = register_tx(alice, 0);
  // Viewers may read, not submit.
  auto refused = submit({reg}, viewer_);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(get_json("/api/ledger")["height"], height0);

  auto ok = submit({reg}, developer_);
  ASSERT_EQ(ok.status, 200) << ok.body;
  Json done = Json::parse(ok.body);
  EXPECT_EQ(done["accepted"], 1);
  ASSERT_EQ(done["results"].size(), 1u);
  EXPECT_EQ(done["results"][0]["status"], "committed");
  const std::string reg_id = done["results"][0]["id"];
  EXPECT_EQ(reg_id, ledger::hash_hex(reg.id()));
  const uint64_t reg_height = done["height"];

  // The same transaction again is a replay; a flipped signature byte is a forgery.
  auto replay = submit({reg}, developer_);
  EXPECT_EQ(replay.status, 400) << replay.body;
  EXPECT_THAT(Json::parse(replay.body)["results"][0]["error"].get<std::string>(), HasSubstr("replay"));
  ledger::Transaction forged = register_tx(crypto::Identity::generate(crypto::IdentityKind::kUser, "mallory"), 0);
  forged.signature[5] ^= 1;
  auto bad = submit({forged}, developer_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(Json::parse(bad.body)["results"][0]["error"].get<std::string>(), HasSubstr("signature"));
  auto garbage = call("POST", "/api/ledger/transactions", developer_, R"({"transactions": ["zz"]})");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_THAT(garbage.body, HasSubstr("transactions[0]"));

  // The mint authority (the orderer's key, from the ledger home) mints to alice, taking its
  // nonce from the accounts route as a remote client would.
  auto orderer = crypto::load_key_file(ledger_home_ + "/keys/orderer.key", kPass);
  ASSERT_TRUE(orderer.is_ok()) << orderer.status().to_string();
  Json orderer_account = get_json("/api/ledger/accounts/" + orderer_key);
  ledger::MintTx mint;
  mint.to = alice.sign_public();
  mint.amount = 50;
  auto minted = submit({ledger::make_transaction(mint.kCode, *orderer, orderer_account["next_nonce"], mint.encode())},
                       developer_);
  ASSERT_EQ(minted.status, 200) << minted.body;
  Json account = get_json("/api/ledger/accounts/alice");
  EXPECT_EQ(account["next_nonce"], 1);
  EXPECT_EQ(account["balance"], 50);
  EXPECT_EQ(account["kind"], "user");

  // Blocks: the header list, then the block holding alice's registration.
  status = get_json("/api/ledger");
  EXPECT_EQ(status["height"], height0 + 2);
  Json blocks = get_json("/api/ledger/blocks?from=0&limit=1000")["blocks"];
  ASSERT_EQ(blocks.size(), height0 + 2);
  EXPECT_EQ(blocks.back()["hash"], status["head"]);
  Json block = get_json("/api/ledger/blocks/" + std::to_string(reg_height));
  EXPECT_EQ(block["signature_valid"], true);
  ASSERT_EQ(block["transactions"].size(), 1u);
  EXPECT_EQ(block["transactions"][0]["id"], reg_id);
  EXPECT_EQ(call("GET", "/api/ledger/blocks/999", viewer_).status, 404);

  auto metrics = call("GET", "/metrics", viewer_);
  EXPECT_THAT(metrics.body, HasSubstr("fogline_hub_ledger_blocks " + std::to_string(height0 + 2) + "\n"));

  // The proof checks offline against the log root the status reports.
  Json proof = get_json("/api/ledger/proofs/" + reg_id);
  EXPECT_EQ(proof["log_root"], status["log_root"]);
  auto parsed = ledger::parse_proof_file(proof["proof_file"].get<std::string>());
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(ledger::verify_proof(*parsed).is_ok());
  EXPECT_EQ(ledger::hash_hex(parsed->tx_id), reg_id);

  // Every acknowledged block is on disk: the stopped hub's chain replays and verifies.
  hub_.stop();
  auto verify = registry::run_process({fogline_binary(), "ledger", "verify", "--home", ledger_home_});
  ASSERT_TRUE(verify.is_ok());
  EXPECT_EQ(verify->exit_code, 0) << verify->out << verify->err;
  EXPECT_THAT(fogline_out({"ledger", "status", "--home", ledger_home_}),
              HasSubstr("height        " + std::to_string(height0 + 2) + " blocks"));
}

TEST_F(HubLedgerTest, WithoutALedgerHomeTheRoutesSayHowToStartOne) {
  ASSERT_TRUE(start_hub(false)) << hub_.error();
  auto r = call("GET", "/api/ledger", viewer_);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("--ledger-home"));
  auto s = submit({register_tx(crypto::Identity::generate(crypto::IdentityKind::kUser, "bob"), 0)}, developer_);
  EXPECT_EQ(s.status, 404);
}

}  // namespace
}  // namespace fogline::hub::testing
