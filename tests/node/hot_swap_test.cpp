// Hot swap under load: while client threads keep inferring, models are swapped in through the
// admin route and by SIGHUP, and rolled back; not one request may fail, and each answer must
// be the one its reported version computes.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "core/file_util.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

using nlohmann::json;

TEST(NodeHotSwap, NoRequestFailsWhileModelsAreSwappedUnderLoad) {
  TempDir dir;
  // Version v multiplies by v: the answer says which version computed it.
  for (int v = 1; v <= 3; ++v) {
    ASSERT_FALSE(write_affine_model(dir.file("m" + std::to_string(v) + ".onnx"), static_cast<float>(v)).empty());
  }
  const std::string models_file = dir.file("models.txt");
  ASSERT_TRUE(write_file_atomic(models_file, "m=" + dir.file("m1.onnx") + ",version=1\n").is_ok());
  NodeProcess node({"--models-file", models_file, "--threads", "8", "--api-key", "k"});
  ASSERT_TRUE(node.started()) << node.error();
  const httplib::Headers key{{"X-API-Key", "k"}};

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0}, wrong{0};
  std::set<std::string> seen_versions;
  std::mutex seen_mu;
  std::string first_failure;
  const std::string body = R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]})";
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      auto c = node.client();
      while (!stop.load()) {
        auto res = c->Post("/v2/models/m/infer", key, body, "application/json");
        if (!res || res->status != 200) {
          std::lock_guard<std::mutex> lock(seen_mu);
          if (first_failure.empty()) first_failure = res ? std::to_string(res->status) + " " + res->body : "no response";
          ++failed;
          continue;
        }
        json r = json::parse(res->body);
        const std::string v = r["model_version"];
        const double factor = std::stod(v);
        if (r["outputs"][0]["data"] != json({factor + 1, 2 * factor + 1, 3 * factor + 1, 4 * factor + 1})) ++wrong;
        {
          std::lock_guard<std::mutex> lock(seen_mu);
          seen_versions.insert(v);
        }
        ++ok;
      }
    });
  }
  auto admin = node.client();
  auto wait_for_requests = [&](int more) {
    int target = ok.load() + failed.load() + more;
    while (ok.load() + failed.load() < target) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  };
  auto current_version = [&] { return json::parse(admin->Get("/v2/models/m", key)->body)["versions"][0].get<std::string>(); };

  wait_for_requests(50);
  auto load2 = admin->Post("/admin/models/m/load", key, json{{"path", dir.file("m2.onnx")}, {"version", "2"}}.dump(), "application/json");
  ASSERT_TRUE(load2);
  EXPECT_EQ(load2->status, 200) << load2->body;
  EXPECT_EQ(json::parse(load2->body)["versions"], json({"2", "1"}));
  wait_for_requests(50);
  auto rollback = admin->Post("/admin/models/m/rollback", key, "", "application/json");
  ASSERT_TRUE(rollback);
  EXPECT_EQ(rollback->status, 200) << rollback->body;
  EXPECT_EQ(current_version(), "1");
  wait_for_requests(50);
  // SIGHUP re-reads the models file.
  ASSERT_TRUE(write_file_atomic(models_file, "m=" + dir.file("m3.onnx") + ",version=3\n").is_ok());
  node.signal(SIGHUP);
  for (int i = 0; i < 500 && current_version() != "3"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(current_version(), "3");
  wait_for_requests(50);
  // The replaced version stays loaded and answers by its version.
  auto old = admin->Post("/v2/models/m/versions/1/infer", key, body, "application/json");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 200);
  // A load that fails leaves the current version serving.
  auto bad = admin->Post("/admin/models/m/load", key, json{{"path", dir.file("nothing.onnx")}, {"version", "9"}}.dump(), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->status, 200);
  EXPECT_EQ(current_version(), "3");
  auto no_key = admin->Post("/admin/models/m/rollback", "", "application/json");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  wait_for_requests(50);
  stop = true;
  for (auto& t : clients) t.join();

  EXPECT_EQ(failed.load(), 0) << first_failure;
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(ok.load(), 250);
  EXPECT_EQ(seen_versions, (std::set<std::string>{"1", "2", "3"}));
  std::string metrics = admin->Get("/metrics", key)->body;
  EXPECT_NE(metrics.find("fogline_node_model_swaps_total{model=\"m\"} 3"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace fogline::node::testing
