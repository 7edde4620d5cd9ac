// A rented model through a real hub: the terms placed where the agent reads them
// (DATA/rentals/m.json), m@1 deployed to node 0, and its prepaid inferences used up.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>

#include "fleet_fixture.h"
#include "ledger/transaction.h"

namespace fogline::node::testing {

// Through `lcli` (runs `fogline ARGS --home LEDGER_HOME`, returns stdout): a credits ledger with
// the organisations acme and renter (100 credits), and the model file at `model_path` published
// by acme as detector@1 at 1000 credits per 1000 inferences. Returns its ledger id.
template <typename Cli>
std::optional<ledger::Hash> publish_rented_detector(Cli&& lcli, const std::string& model_path) {
  lcli({"ledger", "init", "--economy", "credits"});
  lcli({"ledger", "account", "add", "acme", "--kind", "organisation"});
  lcli({"ledger", "account", "add", "renter", "--kind", "organisation"});
  lcli({"ledger", "mint", "--to", "renter", "--amount", "100"});
  const std::string published = lcli({"rent", "publish", "--as", "acme", "--name", "detector", "--version", "1",
                                      "--bundle", model_path, "--price-per-1000", "1000"});
  std::smatch m;
  if (!std::regex_search(published, m, std::regex("model ([0-9a-f]{64})"))) return std::nullopt;
  auto id = ledger::hash_from_hex(m[1].str(), "model id");
  return id.is_ok() ? std::optional<ledger::Hash>(*id) : std::nullopt;
}

// Answers `prepaid` inferences of m on node 0, then returns the next answer (402 expected).
// The first answer is awaited: until the deployment lands m is unknown (404, not counted).
inline HttpAnswer deploy_rented_and_use_up(Fleet& fleet, const nlohmann::json& terms, int prepaid) {
  const std::string data = fleet.data_dir(0);
  std::filesystem::create_directories(data + "/rentals");
  std::ofstream(data + "/rentals/m.json") << terms.dump();
  nlohmann::json d = fleet.deploy({"m@1", "--selector", "site=a"});
  EXPECT_TRUE(d.is_object()) << d;
  const char* body = R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 0, 0, 0]}]})";
  bool first = wait_until([&] { return http_post(fleet.node(0).url(), "/v2/models/m/infer", body).status == 200; }, 20);
  EXPECT_TRUE(first) << "the rented model never answered: " << fleet.logs();
  if (!first) return {};
  for (int i = 1; i < prepaid; ++i) EXPECT_EQ(http_post(fleet.node(0).url(), "/v2/models/m/infer", body).status, 200);
  return http_post(fleet.node(0).url(), "/v2/models/m/infer", body);
}

}  // namespace fogline::node::testing
