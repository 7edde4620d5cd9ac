// A rented model through a real hub: the terms placed where the agent reads them
// (DATA/rentals/m.json), m@1 deployed to node 0, and its prepaid inferences used up.
#pragma once

#include <filesystem>
#include <fstream>

#include "fleet_fixture.h"

namespace fogline::node::testing {

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
