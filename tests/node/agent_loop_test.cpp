// The agent end to end with real processes on loopback: a `fogline hub` over a temporary home
// and `fogline-node` processes enrolled with it. A deployment reaches the node, which verifies,
// unpacks, loads and answers /v2/models/m/infer with it; a bundle signed by another key is
// refused and the old version keeps serving (the hub sees the deployment fail); with the hub
// killed the node keeps answering, and a node restarted meanwhile serves its last model from
// its data dir; the telemetry produced during the outage reaches the hub after it returns,
// and the hub's count matches the node's queue exactly (issue 4, must-show 2 and 3).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "crypto/identity.h"
#include "node/agent/active_set.h"
#include "node/agent/agent_loop.h"
#include "node/telemetry/telemetry_queue.h"
#include "node_fixtures.h"

extern char** environ;

namespace fogline::node::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string fogline_binary() { return std::string(FOGLINE_BINARY_DIR) + "/fogline"; }

// A child process whose first stdout line is read (it names the URL); the rest is discarded.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  ~Child() { stop(); }
  bool start(std::vector<std::string> args, const std::string& prefix) {
    int out[2];
    if (pipe(out) != 0) return false;
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      pid_ = -1;
      return false;
    }
    std::string line;
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    if (line.rfind(prefix, 0) != 0) return false;
    url_ = line.substr(prefix.size(), line.find('\n') - prefix.size());
    return true;
  }
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill_now();
  }
  const std::string& url() const { return url_; }
  int port() const { return std::atoi(url_.substr(url_.rfind(':') + 1).c_str()); }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

// `fogline ARGS...` to completion; stdout, trimmed.
std::string fogline(std::vector<std::string> args) {
  std::string cmd = fogline_binary();
  for (auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>/dev/null";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << cmd << "\n" << out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool wait_until(const std::function<bool()>& ok, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ok();
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AgentLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fogline_binary())) GTEST_SKIP() << fogline_binary() << " is not built (the hub runs from it)";
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (name.rfind("Slow", 0) == 0 && !std::getenv("FOGLINE_SLOW_TESTS"))
      GTEST_SKIP() << "slow (30 s outage): set FOGLINE_SLOW_TESTS=1";
    home_ = dir_.file("home");
    data_ = dir_.file("node");
    for (int v = 1; v <= 3; ++v) {
      std::string path = write_affine_model(dir_.file("m" + std::to_string(v) + ".onnx"), static_cast<float>(v + 1));
      fogline({"model", "import", path, "--name", "m", "--version", std::to_string(v), "--home", home_});
    }
    developer_ = fogline({"hub", "token", "create", "--role", "developer", "--name", "test", "--home", home_});
    ASSERT_FALSE(developer_.empty());
    ASSERT_TRUE(start_hub("127.0.0.1:0")) << "fogline hub did not start";
    token_ = fogline({"node", "token", "create", "--labels", "site=a", "--home", home_});
    ASSERT_FALSE(token_.empty());
  }

  bool start_hub(const std::string& listen) {
    hub_ = std::make_unique<Child>();
    return hub_->start({fogline_binary(), "hub", "--listen", listen, "--home", home_}, "fogline hub listening on ");
  }
  bool start_node(const std::vector<std::string>& extra = {}) {
    node_ = std::make_unique<Child>();
    std::vector<std::string> args = {node_binary(), "--data-dir", data_, "--listen", "127.0.0.1:0",
                                     "--poll-wait", "2", "--report-interval", "0.3"};
    args.insert(args.end(), extra.begin(), extra.end());
    return node_->start(args, "fogline-node listening on ");
  }

  json hub_call(const std::string& method, const std::string& target, const json& body = nullptr, int* status = nullptr) {
    httplib::Client c(hub_->url());
    c.set_read_timeout(30, 0);
    httplib::Headers h = {{"Authorization", "Bearer " + developer_}};
    auto r = method == "GET" ? c.Get(target, h) : c.Post(target, h, body.is_null() ? "{}" : body.dump(), "application/json");
    if (status) *status = r ? r->status : 0;
    if (!r) return nullptr;
    return json::parse(r->body, nullptr, false);
  }
  int64_t deploy(const std::string& version) {
    int status = 0;
    json d = hub_call("POST", "/api/deployments", {{"model", "m"}, {"version", version}, {"observe", "1h"}}, &status);
    EXPECT_EQ(status, 201) << d.dump();
    return d.value("id", int64_t{0});
  }

  // y[0] of /v2/models/m/infer for x = 1,0,0,0: factor + 1, so it names the version (v + 2).
  double infer_y0(std::string* version = nullptr) {
    httplib::Client c("127.0.0.1", node_->port());
    c.set_read_timeout(5, 0);
    auto r = c.Post("/v2/models/m/infer",
                    R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 0, 0, 0]}]})",
                    "application/json");
    if (!r || r->status != 200) return -1;
    json j = json::parse(r->body, nullptr, false);
    if (version) *version = j.value("model_version", std::string());
    return j["outputs"][0]["data"][0].get<double>();
  }
  bool serves(double y0) {
    return wait_until([&] { return infer_y0() == y0; }, 30);
  }

  std::string node_id() {
    auto text = read_file(data_ + "/node.json");
    return text.is_ok() ? json::parse(*text).value("node_id", std::string()) : "";
  }
  json telemetry() { return hub_call("GET", "/api/nodes/" + node_id() + "/telemetry?limit=1000"); }

  void outage(int seconds);

  TempDir dir_;
  std::string home_, data_, developer_, token_;
  std::unique_ptr<Child> hub_, node_;
};

TEST_F(AgentLoopTest, EnrollDeployRefuseAndSurviveAnOutage) {
  outage(5);
}

// Issue 4's must-show 2 at full length (skipped unless FOGLINE_SLOW_TESTS is set).
TEST_F(AgentLoopTest, SlowThirtySecondOutage) {
  outage(30);
}

void AgentLoopTest::outage(int outage_seconds) {
  // Enroll, then run with the data dir alone.
  ASSERT_TRUE(start_node({"--hub", hub_->url(), "--enroll", token_})) << "fogline-node did not start";
  ASSERT_FALSE(node_id().empty());
  EXPECT_EQ(infer_y0(), -1) << "nothing is deployed yet";

  // A deployment reaches the node: verified, unpacked, loaded, answering.
  int64_t d1 = deploy("1");
  ASSERT_TRUE(serves(2 + 1)) << "m@1 was not activated";
  std::string version;
  infer_y0(&version);
  EXPECT_EQ(version, "1");
  EXPECT_TRUE(fs::exists(data_ + "/models/m/1/model.onnx"));
  auto active = node::agent::load_active_set(data_);
  ASSERT_TRUE(active.is_ok());
  ASSERT_EQ(active->models.size(), 1u);
  EXPECT_EQ(active->models[0].version, "1");

  // The next version replaces it; the previous one stays on disk for rollback.
  hub_call("POST", "/api/deployments/" + std::to_string(d1) + "/promote");
  int64_t d2 = deploy("2");
  ASSERT_TRUE(serves(3 + 1)) << "m@2 was not activated";
  ASSERT_TRUE(wait_until([&] {
    auto a = node::agent::load_active_set(data_);
    return a.is_ok() && a->models.size() == 1 && a->models[0].version == "2" && a->models[0].previous_version == "1";
  }, 10));
  // The hub hears the node run it.
  ASSERT_TRUE(wait_until([&] {
    json d = hub_call("GET", "/api/deployments/" + std::to_string(d2));
    for (const auto& a : d["assignments"])
      if (a.contains("last_report") && a["last_report"].is_object() && a["last_report"].value("state", "") == "running")
        return true;
    return false;
  }, 15)) << hub_call("GET", "/api/deployments/" + std::to_string(d2)).dump();

  // A node that trusts another hub key refuses every bundle of this hub: the same check as a
  // bundle signed by another key. It keeps serving m@2 and the deployment fails on its report.
  node_->stop();
  {
    auto text = read_file(data_ + "/node.json");
    ASSERT_TRUE(text.is_ok());
    json state = json::parse(*text);
    crypto::Identity other = crypto::Identity::generate(crypto::IdentityKind::kNode, "other-hub");
    auto pk = other.sign_public();
    static const char* kHex = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : pk) hex += kHex[c >> 4], hex += kHex[c & 15];
    ASSERT_NE(state["hub_public_key"], hex);
    state["hub_public_key"] = hex;
    ASSERT_TRUE(write_file_atomic(data_ + "/node.json", state.dump()).is_ok());
  }
  ASSERT_TRUE(start_node()) << "fogline-node did not restart";
  EXPECT_EQ(infer_y0(), 4) << "after a restart the node serves m@2 from its data dir";
  hub_call("POST", "/api/deployments/" + std::to_string(d2) + "/promote");
  int64_t d3 = deploy("3");
  ASSERT_TRUE(wait_until([&] { return hub_call("GET", "/api/deployments/" + std::to_string(d3)).value("state", "") == "failed"; },
                         20))
      << hub_call("GET", "/api/deployments/" + std::to_string(d3)).dump();
  json failed = hub_call("GET", "/api/deployments/" + std::to_string(d3));
  EXPECT_NE(failed.dump().find("refused the bundle of m@3"), std::string::npos) << failed.dump();
  EXPECT_EQ(infer_y0(&version), 4);
  EXPECT_EQ(version, "2");
  EXPECT_FALSE(fs::exists(data_ + "/models/m/3")) << "nothing of a refused bundle is kept";

  // The hub goes away: the node keeps answering; restarted meanwhile, it serves from its data dir.
  int hub_port = hub_->port();
  hub_->kill_now();
  int64_t outage_start = now_ms();
  EXPECT_EQ(infer_y0(), 4);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  node_->stop();
  ASSERT_TRUE(start_node()) << "fogline-node did not restart without its hub";
  EXPECT_EQ(infer_y0(&version), 4);
  EXPECT_EQ(version, "2");
  while (now_ms() - outage_start < outage_seconds * 1000LL) {
    ASSERT_EQ(infer_y0(), 4) << "the node stopped answering during the outage";
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  int64_t outage_end = now_ms();
  ASSERT_TRUE(start_hub("127.0.0.1:" + std::to_string(hub_port))) << "the hub did not come back on its port";

  // Three starts, each recorded as an event; the one during the outage arrives now.
  ASSERT_TRUE(wait_until([&] {
    json t = telemetry();
    return t.contains("by_kind") && t["by_kind"].value("event.agent_started", 0) == 3;
  }, 30)) << telemetry().dump();
  node_->stop();
  json t = telemetry();
  // m@2 came as a delta from m@1; the activation events say what was downloaded and saved.
  int deltas = 0;
  for (const auto& r : t["recent"]) {
    if (r["kind"] != "event.model_activated" || r["body"]["version"] != "2") continue;
    ++deltas;
    EXPECT_EQ(r["body"]["delta"], true) << r.dump();
    EXPECT_EQ(r["body"]["from"], "1");
    EXPECT_GT(r["body"]["bytes_saved"].get<int64_t>(), 0);
    EXPECT_GT(r["body"]["bytes_downloaded"].get<int64_t>(), 0);
  }
  EXPECT_EQ(deltas, 1);
  size_t during = 0;
  for (const auto& r : t["recent"])
    if (r["time_ms"].get<int64_t>() > outage_start && r["time_ms"].get<int64_t>() < outage_end) ++during;
  EXPECT_GT(during, 0u) << "records made while the hub was down arrived";

  // Exactly once: every sequence the node's queue ever issued is on the hub or still queued,
  // none twice (the resent batches are counted as duplicates, not records).
  auto queue = telemetry::TelemetryQueue::open(data_ + "/telemetry");
  ASSERT_TRUE(queue.is_ok()) << queue.status().to_string();
  ASSERT_EQ(t["queues"].size(), 1u) << t.dump();
  const json& q = t["queues"][0];
  EXPECT_EQ(q["queue_id"], (*queue)->queue_id());
  uint64_t issued = (*queue)->next_seq() - 1;
  uint64_t dropped = 0;
  for (uint64_t n : (*queue)->dropped().records) dropped += n;
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(q["records"].get<uint64_t>() + (*queue)->size() + dropped, issued) << t.dump();
  EXPECT_EQ(t["records"].get<uint64_t>(), q["records"].get<uint64_t>());
  EXPECT_EQ(q["min_seq"].get<uint64_t>(), 1u);
}

// Shadow mode through a real hub (issue 4): m@4 (y = 1 - x) is deployed as a shadow beside
// production m@1 (y = 2x + 1) with `agreement<0.9`. The node fetches and verifies it like any
// bundle, runs it on copies of real requests (answers stay m@1's), and reports the agreement
// under the model's "shadow"; the hub rolls the deployment back on that report and the node
// drops the shadow. A shadow that agrees (m@2) is promoted after its window and becomes the
// serving version without a second download.
TEST_F(AgentLoopTest, AShadowThatDisagreesIsRolledBackOnTheNodesReportAndOneThatAgreesIsPromoted) {
  ASSERT_TRUE(start_node({"--hub", hub_->url(), "--enroll", token_})) << "fogline-node did not start";
  int64_t d1 = deploy("1");
  ASSERT_TRUE(serves(2 + 1)) << "m@1 was not activated";
  hub_call("POST", "/api/deployments/" + std::to_string(d1) + "/promote");
  fogline({"model", "import", write_affine_model(dir_.file("m4.onnx"), -1), "--name", "m", "--version", "4", "--home", home_});

  auto shadow_state = [&](int* status) {
    httplib::Client c("127.0.0.1", node_->port());
    c.set_read_timeout(5, 0);
    auto r = c.Get("/admin/models/m/shadow");
    *status = r ? r->status : 0;
    return r ? json::parse(r->body, nullptr, false) : json();
  };
  auto infer_row = [&](const json& row, std::string* version) {
    httplib::Client c("127.0.0.1", node_->port());
    c.set_read_timeout(5, 0);
    json body = {{"inputs", {{{"name", "x"}, {"shape", {1, 4}}, {"datatype", "FP32"}, {"data", row}}}}};
    auto r = c.Post("/v2/models/m/infer", body.dump(), "application/json");
    if (!r || r->status != 200) return -1.0;
    json j = json::parse(r->body);
    *version = j.value("model_version", "");
    return j["outputs"][0]["data"][0].get<double>();
  };
  auto deployment = [&](int64_t id) { return hub_call("GET", "/api/deployments/" + std::to_string(id)); };
  auto shadow_report = [&](int64_t id) {
    json d = deployment(id);
    for (const auto& a : d["assignments"])
      if (a.contains("last_report") && a["last_report"].is_object() && a["last_report"].contains("shadow"))
        return a["last_report"]["shadow"];
    return json();
  };

  int status = 0;
  json created = hub_call("POST", "/api/deployments",
                          {{"model", "m"}, {"version", "4"}, {"shadow", true}, {"observe", "1h"},
                           {"rollback_if", "agreement<0.9"}, {"canary_nodes", {node_id()}}},
                          &status);
  ASSERT_EQ(status, 201) << created.dump();
  int64_t d4 = created["id"];
  ASSERT_TRUE(wait_until([&] { return shadow_state(&status).value("version", "") == "4"; }, 30))
      << "the node did not load m@4 as the shadow";
  EXPECT_TRUE(fs::exists(data_ + "/models/m/4/model.onnx"));

  // A constant row: both answer top-1 0. The answer is m@1's (2x + 1).
  std::string version;
  EXPECT_EQ(infer_row({1, 1, 1, 1}, &version), 3);
  EXPECT_EQ(version, "1");
  ASSERT_TRUE(wait_until([&] {
    json s = shadow_report(d4);
    return s.is_object() && s["metrics"].value("compared", 0) == 1;
  }, 20)) << deployment(d4).dump();
  json s = shadow_report(d4);
  EXPECT_EQ(s["version"], "4");
  EXPECT_EQ(s["state"], "running");
  EXPECT_EQ(s["metrics"]["agreement"], 1.0);
  EXPECT_EQ(deployment(d4)["state"], "observing");

  // x = 1,0,0,0: m@1's top-1 is 0, m@4's is 1. Mean agreement 0.5 trips the rule.
  EXPECT_EQ(infer_row({1, 0, 0, 0}, &version), 3);
  EXPECT_EQ(version, "1");
  ASSERT_TRUE(wait_until([&] { return deployment(d4).value("state", "") == "rolled_back"; }, 20)) << deployment(d4).dump();
  EXPECT_NE(deployment(d4)["reason"].get<std::string>().find("agreement=0.5 < 0.9"), std::string::npos)
      << deployment(d4).dump();
  ASSERT_TRUE(wait_until([&] {
    shadow_state(&status);
    return status == 404;
  }, 20)) << "the node kept the rolled-back shadow";
  EXPECT_EQ(infer_row({1, 0, 0, 0}, &version), 3);
  EXPECT_EQ(version, "1");
  EXPECT_TRUE(wait_until([&] { return !fs::exists(data_ + "/models/m/4"); }, 10)) << "a dropped shadow's files go";

  // m@2 (3x + 1) agrees with m@1 on every row; after its 2 s window the hub promotes it and
  // the loaded shadow becomes the serving version.
  created = hub_call("POST", "/api/deployments",
                     {{"model", "m"}, {"version", "2"}, {"shadow", true}, {"observe", "2s"},
                      {"rollback_if", "agreement<0.9"}, {"canary_nodes", {node_id()}}},
                     &status);
  ASSERT_EQ(status, 201) << created.dump();
  int64_t d2 = created["id"];
  ASSERT_TRUE(wait_until([&] { return deployment(d2).value("state", "") == "promoted"; }, 30)) << deployment(d2).dump();
  ASSERT_TRUE(serves(3 + 1)) << "m@2 did not become the serving version";
  shadow_state(&status);
  EXPECT_EQ(status, 404);
  ASSERT_TRUE(wait_until([&] {
    json t = telemetry();
    return t.contains("by_kind") && t["by_kind"].value("event.shadow_stopped", 0) == 1 &&
           t["by_kind"].value("event.shadow_started", 0) == 2 && t["by_kind"].value("event.model_activated", 0) == 2;
  }, 20)) << telemetry().dump();
  json t = telemetry();
  int promoted = 0;
  for (const auto& r : t["recent"]) {
    if (r["kind"] == "event.shadow_stopped") {
      EXPECT_EQ(r["body"]["version"], "4");
      EXPECT_EQ(r["body"]["metrics"]["compared"], 2);
    }
    if (r["kind"] == "event.model_activated" && r["body"]["version"] == "2") {
      ++promoted;
      EXPECT_FALSE(r["body"].contains("bytes_downloaded")) << "the promoted shadow was downloaded again: " << r.dump();
    }
  }
  EXPECT_EQ(promoted, 1);
}

// In-process: a bundle that cannot be fetched (nothing listens at the hub's address) is
// retried — the generation is not marked done and the same entry is tried again — while a
// desired entry whose names would escape the data dir is refused for good.
TEST(AgentReconcile, RetriesAFailedFetchButRefusesABadEntryForGood) {
  TempDir dir;
  // A port that was free a moment ago: connecting to it fails at once.
  int port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    close(fd);  // bound, never listening: connections are refused
  }
  ASSERT_GT(port, 0);
  node::agent::NodeState state;
  state.node_id = "node-test";
  state.hub_url = "http://127.0.0.1:" + std::to_string(port);
  NodeServer server(ServerOptions{});
  node::agent::AgentLoop loop(dir.path(), state, crypto::Identity::generate(crypto::IdentityKind::kNode, "n"), server);
  ASSERT_TRUE(loop.restore().is_ok());

  json desired = {{"generation", 5}, {"models", {{{"model", "m"}, {"version", "1"}, {"bundle_sha256", "ab"}}}}};
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool retry = false;
    Status st = loop.reconcile(desired, &retry);
    EXPECT_FALSE(st.is_ok());
    EXPECT_NE(st.message().find("cannot fetch the bundle of m@1"), std::string::npos) << st.message();
    EXPECT_TRUE(retry) << "attempt " << attempt;
    EXPECT_EQ(loop.counters().generation, 0);
  }
  EXPECT_EQ(loop.counters().refusals, 0u);

  json bad = {{"generation", 6}, {"models", {{{"model", ".."}, {"version", "1"}, {"bundle_sha256", "ab"}}}}};
  bool retry = true;
  Status st = loop.reconcile(bad, &retry);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("names must be letters"), std::string::npos) << st.message();
  EXPECT_FALSE(retry);
  EXPECT_EQ(loop.counters().generation, 6);
  auto active = node::agent::load_active_set(dir.path());
  ASSERT_TRUE(active.is_ok());
  EXPECT_EQ(active->generation, 6);
  EXPECT_TRUE(active->models.empty());
  EXPECT_TRUE(server.models().names().empty());
}

// In-process: a shadow entry whose names would escape the data dir is refused for good (the
// generation is done, nothing is loaded), and fields of the wrong type are ignored rather
// than taking the poll thread down.
TEST(AgentReconcile, RefusesABadShadowEntryAndSurvivesMistypedFields) {
  TempDir dir;
  node::agent::NodeState state;
  state.node_id = "node-test";
  state.hub_url = "http://127.0.0.1:1";  // never reached: nothing here is fetched
  NodeServer server(ServerOptions{});
  node::agent::AgentLoop loop(dir.path(), state, crypto::Identity::generate(crypto::IdentityKind::kNode, "n"), server);
  ASSERT_TRUE(loop.restore().is_ok());
  json bad = {{"generation", 3},
              {"models", {{{"model", "m"}, {"version", ""}, {"shadow_version", ".."}, {"shadow_bundle_sha256", "ab"}}}}};
  bool retry = true;
  Status st = loop.reconcile(bad, &retry);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("refused shadow model 'm' version '..'"), std::string::npos) << st.message();
  EXPECT_FALSE(retry);
  EXPECT_EQ(loop.counters().generation, 3);
  EXPECT_FALSE(server.models().shadow("m"));
  EXPECT_EQ(loop.counters().shadows_started, 0u);

  json mistyped = {{"generation", 4}, {"models", {{{"model", "m"}, {"version", 7}, {"shadow_version", nullptr}}}}};
  st = loop.reconcile(mistyped, &retry);
  EXPECT_TRUE(st.is_ok()) << st.message();
  EXPECT_FALSE(retry);
  EXPECT_EQ(loop.counters().generation, 4);
  EXPECT_TRUE(server.models().names().empty());
}

}  // namespace
}  // namespace fogline::node::testing
