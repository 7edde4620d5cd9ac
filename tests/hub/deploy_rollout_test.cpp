// Deployments against the real `fogline hub` process: three enrolled nodes (plus one the
// selector leaves out) talk to it with the node's own signed client. Canary to one, promotion
// when the observe window ends, a rule tripping on reported metrics rolls back, a canary that
// cannot load the version fails the deployment, the registry history records each step, and
// a long-poll wakes on change. The `fogline deploy` CLI drives the hub over REST.
#include <gmock/gmock.h>

#include <algorithm>
#include <future>

#include "hub_fixture.h"
#include "node/agent/enroll.h"
#include "node/agent/hub_client.h"

namespace fogline::hub::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
namespace agent = node::agent;

struct TestNode {
  agent::NodeState state;
  std::unique_ptr<crypto::Identity> identity;
  std::unique_ptr<agent::HubClient> client;

  Json get(const std::string& target) {
    auto r = client->request("GET", target);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    if (!r.is_ok()) return nullptr;
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body, nullptr, false);
  }
  Json desired() { return get("/api/nodes/self/desired"); }
  // The desired entry of `model`, null when the node should run none.
  Json entry(const std::string& model) {
    Json d = desired();
    for (const auto& m : d["models"])
      if (m["model"] == model) return m;
    return nullptr;
  }
  // The desired version of `model`, "" when the node should run none.
  std::string version_of(const std::string& model) {
    Json d = desired();  // named: the loop must not run over a destroyed temporary
    for (const auto& m : d["models"])
      if (m["model"] == model) return m["version"];
    return "";
  }
  void report(const std::string& model, const std::string& version, const std::string& state, const Json& metrics) {
    Json body = {{"models", {{{"model", model}, {"version", version}, {"state", state}, {"metrics", metrics}}}}};
    if (state == "failed") body["models"][0]["error"] = "Conv: weights truncated";
    auto r = client->request("POST", "/api/nodes/self/report", body.dump());
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->status, 200) << r->body;
  }
};

class DeployRollout : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("deploy");
    home_ = dir_ + "/home";
    db_ = test_db_url();
    for (const char* model : {"cam", "seg", "det"})
      for (int v = 1; v <= 3; ++v)
        add_version(home_, db_, model, std::to_string(v), random_bytes(20000, static_cast<uint32_t>(v * 7 + model[0])),
                    {{"preprocess", {{"size", {224, 224}}}}});
    developer_ = fogline_out(with_home({"hub", "token", "create", "--role", "developer", "--name", "ci"}));
    viewer_ = fogline_out(with_home({"hub", "token", "create", "--role", "viewer"}));
    hub_ = new HubProcess();
    ASSERT_TRUE(hub_->start(home_, db_)) << "fogline hub did not start";
    for (int i = 0; i < 3; ++i) nodes_.push_back(enroll("a" + std::to_string(i), "site=a"));
    outsider_ = enroll("b0", "site=b");
    // Canary selection works on sorted node ids.
    std::sort(nodes_.begin(), nodes_.end(), [](const auto& x, const auto& y) { return x->state.node_id < y->state.node_id; });
  }
  static void TearDownTestSuite() {
    nodes_.clear();
    outsider_.reset();
    delete hub_;
    hub_ = nullptr;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::vector<std::string> with_home(std::vector<std::string> args) {
    for (auto& a : home_args(home_, db_)) args.push_back(a);
    return args;
  }

  static std::unique_ptr<TestNode> enroll(const std::string& name, const std::string& labels) {
    std::string token = fogline_out(with_home({"node", "token", "create", "--labels", labels}));
    agent::EnrollOptions opts;
    opts.kdf = crypto::KdfParams::fastest_for_tests();
    auto state = agent::enroll(hub_->url(), token, dir_ + "/" + name, opts);
    EXPECT_TRUE(state.is_ok()) << state.status().to_string();
    auto node = std::make_unique<TestNode>();
    if (!state.is_ok()) return node;
    node->state = *state;
    auto id = agent::load_node_identity(dir_ + "/" + name);
    EXPECT_TRUE(id.is_ok());
    node->identity = std::make_unique<crypto::Identity>(std::move(*id));
    node->client = std::make_unique<agent::HubClient>(state->hub_url, state->node_id, *node->identity);
    return node;
  }

  // `fogline deploy ...` against the hub; exit code and output.
  static registry::ProcessResult deploy_cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {fogline_binary(), "deploy"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--hub", hub_->url(), "--token", developer_});
    auto r = registry::run_process(argv);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : registry::ProcessResult{};
  }
  static Json deploy_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = deploy_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  static Json status(int64_t id) { return deploy_json({"status", std::to_string(id)}); }

  // Polls the deployment until it leaves `state` (the hub's ticker ends windows).
  static Json wait_while(int64_t id, const std::string& state, int seconds = 15) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    Json d;
    do {
      d = status(id);
      if (d.value("state", std::string()) != state) return d;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } while (std::chrono::steady_clock::now() < deadline);
    return d;
  }

  static std::vector<std::string> history_events(const std::string& ref) {
    auto r = agent::http_request(hub_->url(), "GET",
                                 "/api/models/" + ref.substr(0, ref.find('@')) + "/versions/" +
                                     ref.substr(ref.find('@') + 1) + "/history",
                                 "", {{"Authorization", "Bearer " + viewer_}});
    EXPECT_TRUE(r.is_ok());
    std::vector<std::string> out;
    if (!r.is_ok()) return out;
    Json doc = Json::parse(r->body);
    for (const auto& h : doc["history"])
      if (h["kind"] == "deployment") out.push_back(h["detail"]["event"]);
    return out;
  }

  static inline std::string dir_, home_, db_, developer_, viewer_;
  static inline HubProcess* hub_ = nullptr;
  static inline std::vector<std::unique_ptr<TestNode>> nodes_;
  static inline std::unique_ptr<TestNode> outsider_;
};

TEST_F(DeployRollout, CanaryToOneOfThreeThenPromotedWhenTheWindowEnds) {
  Json d = deploy_json({"cam@2", "--selector", "site=a", "--canary", "10%", "--observe", "2s",
                        "--rollback-if", "p99_ms>50 or error_rate>0.01"});
  ASSERT_TRUE(d.is_object()) << d;
  int64_t id = d["id"];
  EXPECT_EQ(d["state"], "canary");
  ASSERT_EQ(d["assignments"].size(), 3u);  // the site=b node is not selected
  // ceil(10% of 3) = 1: the first of the sorted node ids.
  EXPECT_EQ(d["assignments"][0]["node_id"], nodes_[0]->state.node_id);
  EXPECT_TRUE(d["assignments"][0]["canary"].get<bool>());
  EXPECT_FALSE(d["assignments"][1]["canary"].get<bool>());

  Json canary = nodes_[0]->desired();
  ASSERT_EQ(canary["models"].size(), 1u) << canary;
  const Json& m = canary["models"][0];
  EXPECT_EQ(m["version"], "2");
  EXPECT_EQ(m["bundle_url"], "/api/bundles/cam/2");
  EXPECT_EQ(m["bundle_sha256"], d["bundle_sha256"]);
  EXPECT_EQ(m["spec"]["preprocess"]["size"][0], 224);
  EXPECT_GT(canary["generation"].get<int64_t>(), 0);
  EXPECT_EQ(nodes_[1]->version_of("cam"), "");
  EXPECT_EQ(outsider_->version_of("cam"), "");

  // A non-canary node long-polls; it wakes when promotion gives it the version.
  int64_t gen1 = nodes_[1]->desired()["generation"];
  auto woke = std::async(std::launch::async, [&] {
    auto t0 = std::chrono::steady_clock::now();
    Json j = nodes_[1]->get("/api/nodes/self/desired?after=" + std::to_string(gen1) + "&wait=20");
    return std::make_pair(j, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  });
  EXPECT_EQ(woke.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout);

  // The window starts when the canary runs the version; healthy metrics do not trip the rule.
  nodes_[0]->report("cam", "2", "running", {{"p99_ms", 12.5}, {"error_rate", 0.0}, {"requests", 40}});
  Json observing = status(id);
  EXPECT_EQ(observing["state"], "observing");
  Json promoted = wait_while(id, "observing");
  EXPECT_EQ(promoted["state"], "promoted") << promoted;
  EXPECT_THAT(promoted["reason"].get<std::string>(), HasSubstr("observe window"));

  auto [late, seconds] = woke.get();
  EXPECT_GT(late["generation"].get<int64_t>(), gen1);
  ASSERT_EQ(late["models"].size(), 1u);
  EXPECT_EQ(late["models"][0]["version"], "2");
  EXPECT_LT(seconds, 15.0);
  for (auto& n : nodes_) EXPECT_EQ(n->version_of("cam"), "2");
  EXPECT_EQ(outsider_->version_of("cam"), "");

  EXPECT_THAT(history_events("cam@2"), ::testing::ElementsAre("created", "promoted"));
  std::string shown = fogline_out(with_home({"model", "show", "cam@2"}));
  EXPECT_THAT(shown, HasSubstr("\"event\":\"promoted\""));

  auto table = deploy_cli({"status", std::to_string(id)});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("promoted"));
  EXPECT_THAT(table.out, HasSubstr(nodes_[0]->state.node_id));
  EXPECT_THAT(table.out, HasSubstr("p99_ms=12.5"));
}

TEST_F(DeployRollout, ARuleTrippingOnReportedMetricsRollsBackToThePreviousVersion) {
  // seg@1 everywhere first (no canary: every node is one), promoted by hand.
  Json base = deploy_json({"seg@1", "--selector", "site=a", "--observe", "1h"});
  int64_t base_id = base["id"];
  auto promoted = deploy_cli({"promote", std::to_string(base_id)});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_THAT(promoted.out, HasSubstr("promoted"));
  for (auto& n : nodes_) ASSERT_EQ(n->version_of("seg"), "1");

  const std::string canary_id = nodes_[2]->state.node_id;
  Json d = deploy_json({"seg@2", "--selector", "site=a", "--canary-nodes", canary_id, "--observe", "1h",
                        "--rollback-if", "p99_ms>50 or error_rate>0.01"});
  int64_t id = d["id"];
  Json canary = nodes_[2]->entry("seg");
  ASSERT_TRUE(canary.is_object());
  EXPECT_EQ(canary["version"], "2");
  EXPECT_EQ(canary["previous_version"], "1");
  EXPECT_EQ(nodes_[0]->version_of("seg"), "1");
  int64_t before = nodes_[2]->desired()["generation"];

  // A report for another version (the node still runs 1) is no verdict on 2.
  nodes_[2]->report("seg", "1", "running", {{"p99_ms", 500}});
  EXPECT_EQ(status(id)["state"], "canary");
  // Ten times slower: the rule trips during the window, at once.
  nodes_[2]->report("seg", "2", "running", {{"p99_ms", 80}, {"error_rate", 0.0}});
  Json rolled = status(id);
  EXPECT_EQ(rolled["state"], "rolled_back");
  EXPECT_THAT(rolled["reason"].get<std::string>(), HasSubstr("p99_ms=80 > 50"));
  EXPECT_THAT(rolled["reason"].get<std::string>(), HasSubstr(canary_id));
  EXPECT_GT(nodes_[2]->desired()["generation"].get<int64_t>(), before);
  EXPECT_EQ(nodes_[2]->entry("seg")["version"], "1");
  for (auto& n : nodes_) EXPECT_EQ(n->version_of("seg"), "1");

  EXPECT_THAT(history_events("seg@2"), ::testing::ElementsAre("created", "rolled_back"));
  EXPECT_THAT(fogline_out(with_home({"model", "show", "seg@2"})), HasSubstr("rolled_back"));
  // Done is done.
  auto again = deploy_cli({"promote", std::to_string(id)});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("is rolled_back"));
}

TEST_F(DeployRollout, ACanaryThatCannotLoadTheVersionFailsTheDeployment) {
  Json base = deploy_json({"det@1", "--selector", "site=a"});
  ASSERT_EQ(deploy_cli({"promote", std::to_string(base["id"].get<int64_t>())}).exit_code, 0);
  Json d = deploy_json({"det@3", "--selector", "site=a", "--canary", "34%", "--observe", "1h"});
  int64_t id = d["id"];
  // ceil(34% of 3) = 2 canaries.
  EXPECT_TRUE(d["assignments"][0]["canary"].get<bool>());
  EXPECT_TRUE(d["assignments"][1]["canary"].get<bool>());
  EXPECT_FALSE(d["assignments"][2]["canary"].get<bool>());
  // Another deployment of det is refused while this one runs.
  auto second = deploy_cli({"det@2", "--selector", "site=a"});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_THAT(second.err, HasSubstr("still canary"));

  nodes_[1]->report("det", "3", "failed", Json::object());
  Json failed = status(id);
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_THAT(failed["reason"].get<std::string>(), HasSubstr("weights truncated"));
  EXPECT_EQ(nodes_[0]->version_of("det"), "1");
  EXPECT_EQ(nodes_[2]->version_of("det"), "1");
  EXPECT_THAT(history_events("det@3"), ::testing::ElementsAre("created", "failed"));
}

TEST_F(DeployRollout, AShadowVersionRunsBesideTheCurrentOneAndIsJudgedOnAgreement) {
  // cam@2 everywhere: the first test leaves it so; run on its own (ctest runs each test in its
  // own process), the test deploys and promotes it first. cam@3 goes in as a shadow on one node.
  if (nodes_[0]->version_of("cam") != "2") {
    Json base = deploy_json({"cam@2", "--selector", "site=a", "--observe", "1h"});
    auto promoted = deploy_cli({"promote", std::to_string(base["id"].get<int64_t>())});
    ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  }
  for (auto& n : nodes_) ASSERT_EQ(n->version_of("cam"), "2");
  Json d = deploy_json({"cam@3", "--selector", "site=a", "--canary-nodes", nodes_[1]->state.node_id, "--shadow",
                        "--observe", "1h", "--rollback-if", "agreement<0.9"});
  int64_t id = d["id"];
  EXPECT_TRUE(d["shadow"].get<bool>());
  Json e = nodes_[1]->entry("cam");
  ASSERT_TRUE(e.is_object());
  EXPECT_EQ(e["version"], "2");  // production answers stay on the current version
  EXPECT_EQ(e["shadow_version"], "3");
  EXPECT_EQ(e["shadow_bundle_url"], "/api/bundles/cam/3");
  EXPECT_EQ(nodes_[0]->entry("cam")["shadow_version"], "");

  Json report = {{"models",
                  {{{"model", "cam"},
                    {"version", "2"},
                    {"state", "running"},
                    {"metrics", {{"p99_ms", 9}}},
                    {"shadow", {{"version", "3"}, {"state", "running"}, {"metrics", {{"agreement", 0.97}}}}}}}}};
  auto ok = nodes_[1]->client->request("POST", "/api/nodes/self/report", report.dump());
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(status(id)["state"], "observing");
  report["models"][0]["shadow"]["metrics"]["agreement"] = 0.62;
  auto bad = nodes_[1]->client->request("POST", "/api/nodes/self/report", report.dump());
  ASSERT_EQ(bad->status, 200) << bad->body;
  Json rolled = status(id);
  EXPECT_EQ(rolled["state"], "rolled_back");
  EXPECT_THAT(rolled["reason"].get<std::string>(), HasSubstr("agreement=0.62 < 0.9"));
  Json after = nodes_[1]->entry("cam");
  EXPECT_EQ(after["version"], "2");
  EXPECT_EQ(after["shadow_version"], "");
}

TEST_F(DeployRollout, LongPollReturnsWhenTheWaitEndsAndSeesAnEarlierChangeAtOnce) {
  Json now = outsider_->desired();
  int64_t gen = now["generation"];
  auto t0 = std::chrono::steady_clock::now();
  Json same = outsider_->get("/api/nodes/self/desired?after=" + std::to_string(gen) + "&wait=1");
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(same["generation"], gen);
  EXPECT_GE(waited, 0.9);
  // Asking with an older generation answers without waiting.
  if (gen > 0) {
    t0 = std::chrono::steady_clock::now();
    Json older = outsider_->get("/api/nodes/self/desired?after=" + std::to_string(gen - 1) + "&wait=30");
    EXPECT_EQ(older["generation"], gen);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  }
  auto bad = outsider_->client->request("GET", "/api/nodes/self/desired?after=x&wait=1");
  ASSERT_TRUE(bad.is_ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("'after'"));
}

TEST_F(DeployRollout, BadRequestsAreRefusedWithTheReason) {
  auto rule = deploy_cli({"cam@1", "--selector", "site=a", "--rollback-if", "p99_ms>>50"});
  EXPECT_NE(rule.exit_code, 0);
  EXPECT_THAT(rule.err, HasSubstr("got '>' at column 8"));
  // The hub checks the rule itself too (a client other than the CLI).
  auto r = agent::http_request(hub_->url(), "POST", "/api/deployments",
                               Json{{"model", "cam"}, {"version", "1"}, {"rollback_if", "latency>5"}}.dump(),
                               {{"Authorization", "Bearer " + developer_}});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("unknown metric 'latency'"));
  auto viewer = agent::http_request(hub_->url(), "POST", "/api/deployments",
                                    Json{{"model", "cam"}, {"version", "1"}}.dump(),
                                    {{"Authorization", "Bearer " + viewer_}});
  EXPECT_EQ(viewer->status, 403);
  auto nobody = deploy_cli({"cam@1", "--selector", "site=zzz"});
  EXPECT_NE(nobody.exit_code, 0);
  EXPECT_THAT(nobody.err, HasSubstr("matches no enrolled node"));
  auto stranger = deploy_cli({"cam@1", "--selector", "site=a", "--canary-nodes", outsider_->state.node_id});
  EXPECT_THAT(stranger.err, HasSubstr("is not an enrolled node matching the selector"));
  auto missing = deploy_cli({"cam@9", "--selector", "site=a"});
  EXPECT_NE(missing.exit_code, 0);
  auto unknown = deploy_cli({"status", "999"});
  EXPECT_THAT(unknown.err, HasSubstr("no deployment 999"));
  // Users cannot read a node's desired state with a token, nodes cannot deploy.
  auto as_node = nodes_[0]->client->request("POST", "/api/deployments", "{}");
  EXPECT_EQ(as_node->status, 401);
}

}  // namespace
}  // namespace fogline::hub::testing

namespace fogline::hub::testing {
namespace {

// The thread budget: with --threads 2 one long-poll may wait; a second is answered at once
// with retry_after, and ordinary requests still get through while the first one waits.
TEST_F(DeployRollout, LongPollsHoldAtMostHalfTheRequestThreads) {
  HubProcess small;
  ASSERT_TRUE(small.start(home_, db_, {"--threads", "2"}));
  agent::HubClient a(small.url(), nodes_[0]->state.node_id, *nodes_[0]->identity);
  agent::HubClient b(small.url(), nodes_[1]->state.node_id, *nodes_[1]->identity);
  auto gen_of = [](agent::HubClient& c) {
    auto r = c.request("GET", "/api/nodes/self/desired");
    EXPECT_TRUE(r.is_ok() && r->status == 200);
    return r.is_ok() ? Json::parse(r->body)["generation"].get<int64_t>() : int64_t{-1};
  };
  int64_t ga = gen_of(a), gb = gen_of(b);
  auto waiting = std::async(std::launch::async, [&] {
    return a.request("GET", "/api/nodes/self/desired?after=" + std::to_string(ga) + "&wait=3");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto t0 = std::chrono::steady_clock::now();
  auto second = b.request("GET", "/api/nodes/self/desired?after=" + std::to_string(gb) + "&wait=3");
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(second.is_ok());
  ASSERT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(Json::parse(second->body)["retry_after"], 5);
  EXPECT_EQ(second->header("Retry-After"), "5");
  EXPECT_LT(took, 2.0);
  auto first = waiting.get();
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->status, 200);
  EXPECT_FALSE(Json::parse(first->body).contains("retry_after"));
}

}  // namespace
}  // namespace fogline::hub::testing
