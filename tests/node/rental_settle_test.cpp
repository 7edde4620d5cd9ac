// A hub-driven node settles its rented usage by itself: a real `fogline hub --ledger-home`, a
// ledger (made by the `fogline` CLI) with the node's enrollment key as its account and a rental
// of the owner's model, the agent serving the prepaid inferences, and then — without anyone
// running `fogline rent settle` — the closed batch committed on the hub's ledger as one
// usage_settle signed by the node, the owner paid, and the batch marked settled. The same batch
// put back is a replay: refused and kept aside, never settled twice; one committed but never
// marked (a lost answer) is recognised from the ledger's refusal and marked settled.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/envelope.h"
#include "crypto/key_file.h"
#include "fleet_fixture.h"
#include "ledger/transaction.h"
#include "ledger/tx/register_account.h"
#include "ledger/tx/rental_start.h"
#include "node/agent/node_state.h"
#include "node_fixtures.h"
#include "rental_fixture.h"

namespace fogline::node::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kSettlePass = "rental-settle-test";

std::vector<std::string> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.rfind("pending", 0) != 0 && n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RentalSettleTest, TheAgentSettlesItsClosedBatchOnTheHubsLedgerOnce) {
  if (!fs::exists(fogline_binary()) || !fs::exists(node_binary()))
    GTEST_SKIP() << "fogline and fogline-node must be built (the test runs both)";
  TempDir dir;
  setenv("FOGLINE_PASSPHRASE", kSettlePass, 1);
  const std::string ledger_home = dir.file("ledger");
  auto lcli = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--home", ledger_home});
    CliResult r = run_fogline(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.out << r.err;
    return r.out;
  };
  const std::string model = write_affine_model(dir.file("m.onnx"), 2.0f);
  ASSERT_FALSE(model.empty());
  auto model_id = publish_rented_detector(lcli, model);
  ASSERT_TRUE(model_id.has_value()) << "publishing the rented model failed";
  auto acme = crypto::load_key_file(ledger_home + "/keys/acme.key", kSettlePass);
  auto renter = crypto::load_key_file(ledger_home + "/keys/renter.key", kSettlePass);
  ASSERT_TRUE(acme.is_ok() && renter.is_ok());
  auto sealed_files = files_ending(ledger_home + "/keys/bundles", ".sealed");
  ASSERT_EQ(sealed_files.size(), 1u);
  auto sealed_hex = read_file(sealed_files[0]);
  ASSERT_TRUE(sealed_hex.is_ok());
  std::string sh = *sealed_hex;
  while (!sh.empty() && (sh.back() == '\n' || sh.back() == ' ')) sh.pop_back();
  auto sealed = from_hex(sh);
  ASSERT_TRUE(sealed.is_ok());

  // The hub runs the ledger; the node enrolls with it, and its enrollment key becomes its account.
  Fleet fleet(dir.path());
  fleet.cli({"model", "import", model, "--name", "m", "--version", "1"});
  ASSERT_TRUE(fleet.start_hub({"--ledger-home", ledger_home})) << fleet.logs();
  ASSERT_EQ(fleet.add_node("site=a"), 0) << fleet.logs();
  const std::string data = fleet.data_dir(0);
  auto node = agent::load_node_identity(data);
  ASSERT_TRUE(node.is_ok()) << node.status().to_string();
  const std::string hub = fleet.hub().url(), token = fleet.developer_token();
  auto submit = [&](const ledger::Transaction& tx) {
    Json body{{"transactions", {to_hex(tx.encode())}}};
    HttpAnswer a = http_post(hub, "/api/ledger/transactions", body.dump(), token);
    EXPECT_EQ(a.status, 200) << a.body;
    return a.json();
  };
  auto account = [&](const std::string& who) { return http_get(hub, "/api/ledger/accounts/" + who, token).json(); };
  ledger::RegisterAccountTx reg;
  reg.kind = crypto::IdentityKind::kNode;
  reg.name = "cam";
  reg.box_public = node->box_public();
  submit(ledger::make_transaction(reg.kCode, *node, 0, reg.encode()));
  auto for_node = crypto::rewrap_data_key(*sealed, *acme, node->box_public());
  ASSERT_TRUE(for_node.is_ok()) << for_node.status().to_string();
  ledger::RentalStartTx start;
  start.model = *model_id;
  start.prepaid = 3;  // credits: 3 inferences at 1000 per 1000
  start.nodes.push_back(ledger::RentalNode{node->sign_public(), *for_node, 0});
  Json started = submit(ledger::make_transaction(start.kCode, *renter, account("renter").value("next_nonce", uint64_t{0}),
                                                 start.encode()));
  ASSERT_EQ(started["results"][0].value("status", ""), "committed") << started;
  const std::string rental = started["results"][0]["id"];

  Json terms{{"format", "fogline-rental-terms/1"}, {"rental", rental}, {"model", "detector"}, {"version", "1"},
             {"renter", ledger::key_hex(renter->sign_public())}, {"node", ledger::key_hex(node->sign_public())},
             {"prepaid_inferences", 3}};
  EXPECT_EQ(deploy_rented_and_use_up(fleet, terms, 3).status, 402);

  // The exhausted meter closed its batch; the agent settles it on its next round.
  const std::string meter = data + "/rentals/" + rental;
  ASSERT_TRUE(wait_until([&] { return account("acme").value("balance", uint64_t{0}) == 3; }, 10))
      << account("acme") << fleet.logs();
  EXPECT_TRUE(wait_until([&] { return !files_ending(meter, ".settled").empty(); }, 5)) << fleet.logs();
  EXPECT_TRUE(files_ending(meter, ".reports").empty()) << "every closed batch settled";
  auto settled = files_ending(meter, ".settled");
  ASSERT_EQ(settled.size(), 1u) << meter;
  EXPECT_EQ(account(ledger::key_hex(node->sign_public())).value("next_nonce", 0), 2) << "register + one settlement";

  // Replayed: the same batch is back; it is refused and kept aside, and the ledger is unchanged.
  const uint64_t txs_before = http_get(hub, "/api/ledger/status", token).json().value("transactions", uint64_t{0});
  const std::string replay = settled[0].substr(0, settled[0].size() - 8) + ".reports";
  fs::copy_file(settled[0], replay);
  ASSERT_TRUE(wait_until([&] { return fs::exists(replay.substr(0, replay.size() - 8) + ".rejected"); }, 10)) << fleet.logs();
  auto why = read_file(replay.substr(0, replay.size() - 8) + ".rejected.why");
  ASSERT_TRUE(why.is_ok());
  EXPECT_NE(why->find("replayed"), std::string::npos) << *why;
  EXPECT_FALSE(fs::exists(replay));
  EXPECT_EQ(http_get(hub, "/api/ledger/status", token).json().value("transactions", uint64_t{0}), txs_before);
  EXPECT_EQ(account("acme").value("balance", uint64_t{0}), 3u);

  // The hub hears of both through the node's telemetry.
  auto heard = [&](const std::string& kind, const std::string& needle) {
    Json t = http_get(hub, "/api/nodes/" + fleet.node_id(0) + "/telemetry?kind=" + kind, token).json();
    if (!t.is_object() || !t["recent"].is_array()) return false;
    for (const auto& r : t["recent"])
      if (r["body"].dump().find(needle) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(wait_until([&] { return heard("event.error", "replayed") && heard("event.rental_settled", rental); }, 10))
      << fleet.logs();

  // Committed but never marked (the answer was lost): sent again, the ledger calls it a replay
  // of what it settled through this batch's end, and the node marks it settled — still once.
  fs::rename(settled[0], replay);
  ASSERT_TRUE(wait_until([&] { return fs::exists(settled[0]); }, 10)) << fleet.logs();
  EXPECT_FALSE(fs::exists(replay));
  EXPECT_EQ(http_get(hub, "/api/ledger/status", token).json().value("transactions", uint64_t{0}), txs_before);
  EXPECT_EQ(account("acme").value("balance", uint64_t{0}), 3u);

  // The ledger's own view, through the CLI once the hub has let go of the home.
  fleet.hub().stop();
  std::string usage = lcli({"rent", "usage", "--rental", rental});
  EXPECT_NE(usage.find("inferences 3 "), std::string::npos) << usage;
  EXPECT_NE(usage.find("settled through report"), std::string::npos) << usage;
}

}  // namespace
}  // namespace fogline::node::testing
