// A rented model on a hub-driven agent: the terms placed in DATA/rentals/MODEL.json, the model
// deployed through a real `fogline hub`; the agent meters it with its own key (its enrollment
// identity, which is also its ledger account), answers up to the prepaid count, then 402, and
// leaves a signed batch of reports under DATA/rentals/RENTAL_ID.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/key_file.h"
#include "crypto/usage_counter.h"
#include "fleet_fixture.h"
#include "node_fixtures.h"
#include "rental_fixture.h"

namespace fogline::node::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

TEST(RentalAgentTest, TheAgentMetersARentedDeploymentWithItsOwnKey) {
  if (!fs::exists(fogline_binary()) || !fs::exists(node_binary()))
    GTEST_SKIP() << "fogline and fogline-node must be built (the test runs both)";
  TempDir dir;
  Fleet fleet(dir.path());
  const std::string model = write_affine_model(dir.file("m.onnx"), 2.0f);
  ASSERT_FALSE(model.empty());
  fleet.cli({"model", "import", model, "--name", "m", "--version", "1"});
  ASSERT_TRUE(fleet.start_hub()) << fleet.logs();
  ASSERT_EQ(fleet.add_node("site=a"), 0) << fleet.logs();
  const std::string data = fleet.data_dir(0);
  auto node_key = crypto::load_public_identity(data + "/node.key");
  ASSERT_TRUE(node_key.is_ok()) << node_key.status().to_string();
  const std::string rental(64, 'c');
  Json terms{{"format", "fogline-rental-terms/1"}, {"rental", rental}, {"model", "detector"}, {"version", "7"},
             {"renter", std::string(64, '2')}, {"node", to_hex(node_key->sign_public.data(), 32)},
             {"prepaid_inferences", 3}};
  HttpAnswer refused = deploy_rented_and_use_up(fleet, terms, 3);
  EXPECT_EQ(refused.status, 402) << refused.body;
  EXPECT_EQ(refused.json().value("used", 0), 3) << refused.body;
  EXPECT_EQ(refused.json().value("rental", ""), rental);

  HttpAnswer status = http_get(fleet.node(0).url(), "/rentals");
  ASSERT_EQ(status.status, 200);
  Json r = status.json()["rentals"];
  ASSERT_EQ(r.size(), 1u) << status.body;
  EXPECT_EQ(r[0]["meter_dir"], data + "/rentals/" + rental);
  ASSERT_FALSE(r[0]["batches"].empty()) << status.body;
  std::string last_line;
  for (const auto& f : r[0]["batches"]) {
    auto text = read_file(f.get<std::string>());
    ASSERT_TRUE(text.is_ok());
    std::string t = *text;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    last_line = t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
  }
  auto last = crypto::decode_usage_counter(*from_hex(last_line));
  ASSERT_TRUE(last.is_ok()) << last.status().to_string();
  EXPECT_EQ(last->inferences, 3u);
  EXPECT_EQ(last->node, node_key->sign_public);
  EXPECT_EQ(last->model, "detector");
  EXPECT_EQ(last->version, "7");
}

}  // namespace
}  // namespace fogline::node::testing
