// The hub hands a renting node its terms, and the ledger's view of the rental reaches its meter:
// a real `fogline hub --ledger-home` (a ledger made by the `fogline` CLI) and a real enrolled
// `fogline-node`. `fogline deploy m@1 --rental ID` makes the hub put the rental's terms for
// this node into the desired state; the agent writes DATA/rentals/m.json before activating, so
// the first inference is already metered, and nobody places a file. Settlements by another
// node of the same rental shrink this node's allowance and, once the ledger marks the rental
// exhausted, this node refuses too (402 naming the rental and the ledger's reason). The same
// version deployed again under a new rental is served again, metered under that one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/envelope.h"
#include "crypto/key_file.h"
#include "crypto/usage_counter.h"
#include "fleet_fixture.h"
#include "ledger/transaction.h"
#include "ledger/tx/register_account.h"
#include "ledger/tx/rental_start.h"
#include "ledger/usage_report.h"
#include "node/agent/node_state.h"
#include "node_fixtures.h"
#include "rental_fixture.h"

namespace fogline::node::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kHubRentPass = "rental-hub-test";
constexpr const char* kHubRentInfer =
    R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 0, 0, 0]}]})";

// A ledger (owner acme publishes detector@1 at 1000 credits per 1000 inferences; the renter
// holds 100 credits), the hub running it, one enrolled node whose key is a ledger node account,
// and model m@1 in the hub's registry. rent() starts a rental for that node and `others`.
class HubRental {
 public:
  explicit HubRental(const std::string& dir) : dir_(dir), ledger_home_(dir + "/ledger"), fleet_(dir) {}

  bool start() {
    setenv("FOGLINE_PASSPHRASE", kHubRentPass, 1);
    const std::string model = write_affine_model(dir_ + "/m.onnx", 2.0f);
    if (model.empty()) return false;
    auto model_id = publish_rented_detector([this](std::vector<std::string> args) { return lcli(std::move(args)); }, model);
    if (!model_id) return false;
    model_id_ = *model_id;
    auto acme = crypto::load_key_file(ledger_home_ + "/keys/acme.key", kHubRentPass);
    auto renter = crypto::load_key_file(ledger_home_ + "/keys/renter.key", kHubRentPass);
    if (!acme.is_ok() || !renter.is_ok()) return false;
    acme_ = std::make_unique<crypto::Identity>(std::move(acme).value());
    renter_ = std::make_unique<crypto::Identity>(std::move(renter).value());
    for (const auto& e : fs::directory_iterator(ledger_home_ + "/keys/bundles")) {
      std::string n = e.path().string();
      if (n.size() > 7 && n.substr(n.size() - 7) == ".sealed") {
        std::string hex = *read_file(n);
        while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
        sealed_ = *from_hex(hex);
      }
    }
    if (sealed_.empty()) return false;

    fleet_.cli({"model", "import", model, "--name", "m", "--version", "1"});
    if (!fleet_.start_hub({"--ledger-home", ledger_home_})) return false;
    if (fleet_.add_node("site=a") != 0) return false;
    auto node = agent::load_node_identity(fleet_.data_dir(0));
    if (!node.is_ok()) return false;
    node_ = std::make_unique<crypto::Identity>(std::move(node).value());
    return register_node(*node_, "cam");
  }

  bool register_node(const crypto::Identity& id, const std::string& name) {
    ledger::RegisterAccountTx reg;
    reg.kind = crypto::IdentityKind::kNode;
    reg.name = name;
    reg.box_public = id.box_public();
    return submit(ledger::make_transaction(reg.kCode, id, 0, reg.encode()))["results"][0].value("status", "") ==
           "committed";
  }

  // A rental of detector@1 for the fleet's node and then `others`, prepaying `credits`.
  std::string rent(uint64_t credits, const std::vector<const crypto::Identity*>& others = {}) {
    ledger::RentalStartTx start;
    start.model = model_id_;
    start.prepaid = credits;
    std::vector<const crypto::Identity*> nodes{node_.get()};
    nodes.insert(nodes.end(), others.begin(), others.end());
    for (const crypto::Identity* n : nodes) {
      auto key = crypto::rewrap_data_key(sealed_, *acme_, n->box_public());
      EXPECT_TRUE(key.is_ok());
      start.nodes.push_back(ledger::RentalNode{n->sign_public(), *key, 0});
    }
    Json started = submit(ledger::make_transaction(start.kCode, *renter_, next_nonce(*renter_), start.encode()));
    EXPECT_EQ(started["results"][0].value("status", ""), "committed") << started;
    return started["results"][0].value("id", "");
  }

  // `node` settles its cumulative counter at `inferences` (its report `sequence`) through the hub.
  Json settle_as(const crypto::Identity& node, const std::string& rental, uint64_t sequence, uint64_t settled,
                 uint64_t inferences) {
    auto report = crypto::sign_usage_counter(node, "detector", "1", renter_->sign_public(), inferences, sequence, 1000);
    auto tx = ledger::settle_batch(*ledger::hash_from_hex(rental, "rental"), sequence - 1, settled, {report});
    EXPECT_TRUE(tx.is_ok()) << tx.status().to_string();
    return submit(ledger::make_transaction(tx->kCode, node, next_nonce(node), tx->encode()))["results"][0];
  }

  Json submit(const ledger::Transaction& tx) {
    Json body{{"transactions", {to_hex(tx.encode())}}};
    return http_post(fleet_.hub().url(), "/api/ledger/transactions", body.dump(), fleet_.developer_token()).json();
  }
  uint64_t next_nonce(const crypto::Identity& id) {
    return http_get(fleet_.hub().url(), "/api/ledger/accounts/" + ledger::key_hex(id.sign_public()),
                    fleet_.developer_token())
        .json()
        .value("next_nonce", uint64_t{0});
  }
  // The node's /rentals entry of `rental` (any when empty; null when it meters nothing yet).
  Json meter(const std::string& rental = "") {
    Json r = http_get(fleet_.node(0).url(), "/rentals").json();
    if (!r.is_object() || !r["rentals"].is_array()) return Json();
    for (const auto& m : r["rentals"])
      if (rental.empty() || m.value("rental", "") == rental) return m;
    return Json();
  }
  HttpAnswer infer() { return http_post(fleet_.node(0).url(), "/v2/models/m/infer", kHubRentInfer); }

  Fleet& fleet() { return fleet_; }
  const crypto::Identity& node() const { return *node_; }

 private:
  std::string lcli(std::vector<std::string> args) {
    args.insert(args.end(), {"--home", ledger_home_});
    CliResult r = run_fogline(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.out << r.err;
    return r.out;
  }

  std::string dir_, ledger_home_;
  Fleet fleet_;
  ledger::Hash model_id_{};
  std::string sealed_;
  std::unique_ptr<crypto::Identity> acme_, renter_, node_;
};

bool hubrent_binaries() { return fs::exists(fogline_binary()) && fs::exists(node_binary()); }

TEST(RentalHubTest, TheDeploymentCarriesTheTermsAndTheFirstInferenceIsMetered) {
  if (!hubrent_binaries()) GTEST_SKIP() << "fogline and fogline-node must be built (the test runs both)";
  TempDir dir;
  HubRental h(dir.path());
  ASSERT_TRUE(h.start()) << h.fleet().logs();
  const std::string rental = h.rent(3);  // 3 credits: 3 inferences
  ASSERT_EQ(rental.size(), 64u);

  // A rental the hub's ledger does not hold is refused when the deployment is made.
  CliResult unknown = run_fogline({"deploy", "m@1", "--rental", std::string(64, 'e'), "--hub", h.fleet().hub().url(),
                                   "--token", h.fleet().developer_token()});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no rental " + std::string(64, 'e') + " on the hub's ledger"), std::string::npos)
      << unknown.err;

  const std::string terms_file = h.fleet().data_dir(0) + "/rentals/m.json";
  ASSERT_FALSE(fs::exists(terms_file)) << "nobody places the terms";
  Json d = h.fleet().deploy({"m@1", "--selector", "site=a", "--rental", rental});
  ASSERT_TRUE(d.is_object()) << d;
  EXPECT_EQ(d.value("rental", ""), rental);
  ASSERT_TRUE(wait_until([&] { return h.infer().status == 200; }, 20)) << h.fleet().logs();
  // The very first answer was counted under the rental's terms, which the agent wrote itself.
  Json m = h.meter();
  ASSERT_TRUE(m.is_object()) << h.fleet().logs();
  EXPECT_EQ(m.value("rental", ""), rental);
  EXPECT_EQ(m.value("used", 0), 1) << m;
  EXPECT_EQ(m.value("prepaid", 0), 3) << m;
  auto terms = read_file(terms_file);
  ASSERT_TRUE(terms.is_ok()) << terms.status().to_string();
  Json t = Json::parse(*terms);
  EXPECT_EQ(t.value("format", ""), "fogline-rental-terms/1");
  EXPECT_EQ(t.value("model", ""), "detector");
  EXPECT_EQ(t.value("node", ""), ledger::key_hex(h.node().sign_public()));
  EXPECT_EQ(t.value("prepaid_inferences", 0), 3);

  EXPECT_EQ(h.infer().status, 200);
  EXPECT_EQ(h.infer().status, 200);
  HttpAnswer refused = h.infer();
  EXPECT_EQ(refused.status, 402) << refused.body;
  EXPECT_EQ(refused.json().value("rental", ""), rental) << refused.body;

  // The renter prepays a new rental; m@1 deployed again under it is served again, on a new meter.
  const std::string renewed = h.rent(2);
  h.fleet().deploy_action("promote", d["id"].get<int64_t>());
  Json again = h.fleet().deploy({"m@1", "--selector", "site=a", "--rental", renewed});
  ASSERT_TRUE(again.is_object()) << again;
  ASSERT_TRUE(wait_until([&] { return h.infer().status == 200; }, 10)) << h.fleet().logs();
  EXPECT_EQ(h.meter(renewed).value("used", 0), 1) << h.meter(renewed);
  EXPECT_EQ(h.meter(rental).value("used", 0), 3) << "the old rental's count stays where it was";
  auto renewed_terms = read_file(terms_file);
  ASSERT_TRUE(renewed_terms.is_ok());
  EXPECT_EQ(Json::parse(*renewed_terms).value("rental", ""), renewed);
}

TEST(RentalHubTest, SettlementsByAnotherNodeReachThisNodesMeter) {
  if (!hubrent_binaries()) GTEST_SKIP() << "fogline and fogline-node must be built (the test runs both)";
  TempDir dir;
  HubRental h(dir.path());
  ASSERT_TRUE(h.start()) << h.fleet().logs();
  crypto::Identity other = crypto::Identity::generate(crypto::IdentityKind::kNode, "other");
  ASSERT_TRUE(h.register_node(other, "other"));
  // 10 inferences prepaid for two nodes: this node's share is 5 until someone settles.
  const std::string rental = h.rent(10, {&other});
  Json d = h.fleet().deploy({"m@1", "--selector", "site=a", "--rental", rental});
  ASSERT_TRUE(d.is_object()) << d;
  ASSERT_TRUE(wait_until([&] { return h.infer().status == 200; }, 20)) << h.fleet().logs();
  EXPECT_EQ(h.meter().value("prepaid", 0), 5) << h.meter();

  // The other node settles 4: 6 are left for both, so this node (1 served) may reach 3.
  Json first = h.settle_as(other, rental, 1, 0, 4);
  ASSERT_EQ(first.value("status", ""), "committed") << first;
  ASSERT_TRUE(wait_until([&] { return h.meter().value("prepaid", 0) == 3; }, 10)) << h.meter() << h.fleet().logs();
  EXPECT_EQ(h.infer().status, 200);

  // It settles 6 more, all that was prepaid: the ledger marks the rental exhausted, and this
  // node refuses too, saying so (its own 2 can no longer be paid: the batch it closes is refused).
  Json last = h.settle_as(other, rental, 2, 4, 10);
  ASSERT_EQ(last.value("status", ""), "committed") << last;
  HttpAnswer refused;
  ASSERT_TRUE(wait_until(
      [&] {
        refused = h.infer();
        return refused.body.find("the ledger: prepaid credit exhausted") != std::string::npos;
      },
      10))
      << refused.body << h.fleet().logs();
  EXPECT_EQ(refused.status, 402);
  EXPECT_EQ(refused.json().value("rental", ""), rental);
  EXPECT_EQ(refused.json().value("prepaid", 1), 0) << "this node settled nothing, so it may count nothing";

}

}  // namespace
}  // namespace fogline::node::testing
