// Issue 4, must-show 5: Debian's real Prometheus scrapes a real fogline-node agent and the real
// hub every second; values are read back through Prometheus' own HTTP API (/api/v1/query), so
// the expositions are proven parseable by Prometheus and their numbers right: the node's request
// counter after exactly N inference requests, and the hub's node and deployment gauges.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <filesystem>

#include "core/file_util.h"
#include "fleet_fixture.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

const char* kPrometheus = "/usr/bin/prometheus";

// The host:port of a URL such as http://127.0.0.1:8080.
std::string host_port(const std::string& url) {
  size_t scheme = url.find("://");
  return scheme == std::string::npos ? url : url.substr(scheme + 3);
}

class PrometheusScrape : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPrometheus)) GTEST_SKIP() << kPrometheus << " is missing (Debian package prometheus)";
    if (!fs::exists(fogline_binary()) || !fs::exists(node_binary()))
      GTEST_SKIP() << "fogline and fogline-node must be built (the test runs both)";
    fleet_ = std::make_unique<Fleet>(dir_.path());
  }
  void TearDown() override {
    if (HasFailure() && fleet_) {
      std::fprintf(stderr, "%s--- prometheus log (tail) ---\n%s\n", fleet_->logs().c_str(), prometheus_.log_tail(3000).c_str());
    }
    prometheus_.stop();
  }

  // Prometheus on a free loopback port scraping `targets` (job name -> host:port) every second.
  bool start_prometheus(const std::vector<std::pair<std::string, std::string>>& targets) {
    std::string config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    for (const auto& [job, target] : targets)
      config += "  - job_name: " + job + "\n    static_configs:\n      - targets: ['" + target + "']\n";
    if (!write_file_atomic(dir_.file("prometheus.yml"), config).is_ok()) return false;
    // The port is picked free but taken by Prometheus only later: another process may win it,
    // so a start that dies is retried on a new port.
    for (int attempt = 0; attempt < 3; ++attempt) {
      int port = pick_free_port();
      prometheus_url_ = "http://127.0.0.1:" + std::to_string(port);
      if (!prometheus_.launch({kPrometheus, "--config.file=" + dir_.file("prometheus.yml"),
                               "--storage.tsdb.path=" + dir_.file("tsdb-" + std::to_string(attempt)),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                              dir_.file("prometheus.log")))
        return false;
      bool ready = wait_until([&] { return !prometheus_.alive() || http_get(prometheus_url_, "/-/ready").status == 200; }, 60);
      if (ready && prometheus_.alive()) return true;
      prometheus_.stop();
    }
    return false;
  }

  // The value of an instant query that selects one series; NaN when it selects none.
  double query(const std::string& promql) {
    httplib::Client c(prometheus_url_);
    c.set_read_timeout(10, 0);
    auto r = c.Get("/api/v1/query", httplib::Params{{"query", promql}}, httplib::Headers{});
    if (!r || r->status != 200) return std::nan("");
    Json j = Json::parse(r->body, nullptr, false);
    if (!j.is_object() || j.value("status", "") != "success") return std::nan("");
    const Json& result = j["data"]["result"];
    if (!result.is_array() || result.size() != 1) return std::nan("");
    return std::stod(result[0]["value"][1].get<std::string>());
  }
  // Waits until the query reads `expected` (a scrape happens every second).
  bool reads(const std::string& promql, double expected, double seconds = 20) {
    return wait_until([&] { return query(promql) == expected; }, seconds);
  }

  TempDir dir_;
  std::unique_ptr<Fleet> fleet_;
  ServiceProcess prometheus_;
  std::string prometheus_url_;
};

TEST_F(PrometheusScrape, NodeAndHubMetricsReadBackThroughPrometheus) {
  std::string model = write_affine_model(dir_.file("m.onnx"), 2);
  ASSERT_FALSE(model.empty());
  fleet_->cli({"model", "import", model, "--name", "m", "--version", "1"});
  ASSERT_TRUE(fleet_->start_hub());
  ASSERT_EQ(fleet_->add_node("site=a"), 0);
  Json d = fleet_->deploy({"m@1", "--selector", "site=a", "--observe", "1h"});
  ASSERT_TRUE(d.is_object());
  fleet_->deploy_action("promote", d["id"]);

  ASSERT_EQ(http_get(fleet_->hub().url(), "/metrics").status, 200);
  ASSERT_TRUE(start_prometheus({{"node", host_port(fleet_->node(0).url())}, {"hub", host_port(fleet_->hub().url())}})) << "prometheus did not become ready:\n" << prometheus_.log_tail();

  // Exactly N inference requests on the node, then the counter as Prometheus stored it.
  const int n = 7;
  ASSERT_TRUE(wait_until([&] {
    return http_post(fleet_->node(0).url(), "/v2/models/m/infer",
                     R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 0, 0, 0]}]})")
               .status == 200;
  }, 20)) << "the node never served m@1";
  for (int i = 1; i < n; ++i) {
    HttpAnswer a = http_post(fleet_->node(0).url(), "/v2/models/m/infer",
                             R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 0, 0, 0]}]})");
    ASSERT_EQ(a.status, 200) << a.body;
  }
  // A bad request counts as a request and as an error with its status code.
  EXPECT_EQ(http_post(fleet_->node(0).url(), "/v2/models/m/infer", R"({"inputs": []})").status, 400);
  EXPECT_TRUE(reads("up{job=\"node\"}", 1)) << query("up{job=\"node\"}");
  EXPECT_TRUE(reads("fogline_node_requests_total{job=\"node\",model=\"m\",route=\"infer\"}", n + 1))
      << query("fogline_node_requests_total{job=\"node\",model=\"m\",route=\"infer\"}");
  EXPECT_TRUE(reads("fogline_node_request_errors_total{job=\"node\",model=\"m\",route=\"infer\",code=\"400\"}", 1));
  // The histogram's count agrees with the counter.
  EXPECT_TRUE(reads("fogline_node_request_duration_seconds_count{job=\"node\",model=\"m\",route=\"infer\"}", n + 1));

  // The hub: one enrolled node, one promoted deployment.
  EXPECT_TRUE(reads("up{job=\"hub\"}", 1)) << query("up{job=\"hub\"}");
  EXPECT_TRUE(reads("sum(fogline_hub_nodes{job=\"hub\"})", 1)) << query("sum(fogline_hub_nodes{job=\"hub\"})");
  EXPECT_TRUE(reads("fogline_hub_deployments{job=\"hub\",state=\"promoted\"}", 1))
      << query("fogline_hub_deployments{job=\"hub\",state=\"promoted\"}");
  // Per route template, method and status: the one deployment made and the one promotion.
  EXPECT_TRUE(reads("fogline_hub_http_requests_total{job=\"hub\",route=\"/api/deployments\",method=\"POST\",status=\"201\"}", 1))
      << query("fogline_hub_http_requests_total{job=\"hub\",route=\"/api/deployments\",method=\"POST\",status=\"201\"}");
  EXPECT_TRUE(reads("fogline_hub_http_requests_total{job=\"hub\",route=\"/api/deployments/{id}/promote\",status=\"200\"}", 1))
      << query("fogline_hub_http_requests_total{job=\"hub\",route=\"/api/deployments/{id}/promote\",status=\"200\"}");
  // The counters move with the traffic: Prometheus' own scrapes of /metrics count.
  double before = query("sum(fogline_hub_http_requests_total{job=\"hub\"})");
  EXPECT_TRUE(wait_until([&] { return query("sum(fogline_hub_http_requests_total{job=\"hub\"})") > before; }, 20))
      << before;
  std::printf("prometheus read back: node requests %g, hub nodes %g, promoted deployments %g\n",
              query("fogline_node_requests_total{job=\"node\",model=\"m\",route=\"infer\"}"),
              query("sum(fogline_hub_nodes{job=\"hub\"})"), query("fogline_hub_deployments{job=\"hub\",state=\"promoted\"}"));
}

}  // namespace
}  // namespace fogline::node::testing
