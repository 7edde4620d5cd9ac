// Monitoring on a real hub (in this process, on a free loopback port, so the quiet threshold
// can be 2 s): node status with quiet diagnosis read by `fogline fleet status` and `fogline
// node show`, the Prometheus exposition at /metrics (format, counters, optional token), and
// deployments reaching nodes that enroll after them. Nodes are the node's own signed client.
#include <gmock/gmock.h>

#include <functional>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/file_util.h"
#include "hub/server.h"
#include "hub_fixture.h"
#include "node/agent/enroll.h"
#include "node/agent/hub_client.h"
#include "node/telemetry/batch.h"

namespace fogline::hub::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
namespace agent = node::agent;
namespace tm = fogline::telemetry;

// fogline::hub::HubServer serving on its own thread until destroyed.
class InProcessHub {
 public:
  bool start(const std::string& home, const std::string& db, int64_t quiet_after, const std::string& metrics_token = "") {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.home.dir = home;
    o.home.db_url = db;
    o.threads = 4;
    o.quiet_after_seconds = quiet_after;
    o.metrics_token = metrics_token;
    auto s = HubServer::open(o);
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    if (!s.is_ok()) return false;
    server_ = std::move(*s);
    auto port = server_->bind();
    EXPECT_TRUE(port.is_ok()) << port.status().to_string();
    if (!port.is_ok()) return false;
    thread_ = std::thread([this] { (void)server_->serve(); });
    return true;
  }
  ~InProcessHub() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return server_->url(); }

 private:
  std::unique_ptr<HubServer> server_;
  std::thread thread_;
};

// A child process whose stdout's first line starting with `prefix` carries its URL; stderr
// goes to `log`. SIGKILLed when destroyed or kill()ed (a node that dies without a word).
class ChildProcess {
 public:
  bool start(std::vector<std::string> args, const std::string& prefix, const std::string& log) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) dup2(err, 2);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1) {
      if (c != '\n') {
        line += c;
        continue;
      }
      if (line.rfind(prefix, 0) == 0) break;
      line.clear();
    }
    close(fds[0]);
    if (line.rfind(prefix, 0) != 0) return false;
    url_ = line.substr(prefix.size());
    return true;
  }
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  ~ChildProcess() { kill_now(); }
  const std::string& url() const { return url_; }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

struct Node {
  agent::NodeState state;
  std::unique_ptr<crypto::Identity> identity;
  std::unique_ptr<agent::HubClient> client;
  uint64_t seq = 0;

  agent::HttpReply request(const std::string& method, const std::string& target, const std::string& body = "") {
    auto r = client->request(method, target, body);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : agent::HttpReply{};
  }
  Json desired() { return Json::parse(request("GET", "/api/nodes/self/desired").body, nullptr, false); }
  Json entry(const std::string& model) {
    Json d = desired();
    for (const auto& m : d["models"])
      if (m["model"] == model) return m;
    return nullptr;
  }
  // One telemetry batch of (kind, body) records; the hub's reply.
  Json telemetry(const std::vector<std::pair<std::string, Json>>& records, uint64_t first_seq = 0) {
    tm::BatchHeader h;
    h.node_id = state.node_id;
    h.queue_id = "q-" + state.node_id;
    h.floor_seq = 1;
    h.sent_ms = static_cast<int64_t>(std::time(nullptr)) * 1000;
    std::vector<tm::Record> recs;
    uint64_t s = first_seq ? first_seq : seq + 1;
    for (const auto& [kind, body] : records) {
      tm::Record r;
      r.seq = s++;
      r.time_ms = h.sent_ms + static_cast<int64_t>(r.seq);
      r.kind = kind;
      r.body = body.dump();
      recs.push_back(r);
    }
    seq = std::max(seq, s - 1);
    auto encoded = tm::encode_batch(h, recs);
    EXPECT_TRUE(encoded.is_ok());
    auto r = client->request("POST", "/api/nodes/self/telemetry", *encoded, {{"Content-Encoding", "zstd"}});
    EXPECT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body, nullptr, false);
  }
};

Json health(uint64_t disk_available = 600000000) {
  return {{"cpu_percent", 23.0},
          {"mem_total_bytes", 4000000000},
          {"mem_available_bytes", 3000000000},
          {"disk_total_bytes", 1000000000},
          {"disk_available_bytes", disk_available},
          {"temperatures_c", {{"cpu", 48.0}}},
          {"uptime_seconds", 3600},
          {"versions", {{"fogline", "test"}}}};
}

Json link(int consecutive_failures, const std::string& looks) {
  int64_t now_ms = static_cast<int64_t>(std::time(nullptr)) * 1000;
  return {{"attempts", 20},
          {"failed_attempts", consecutive_failures},
          {"consecutive_failures", consecutive_failures},
          {"bytes_up", 5000},
          {"bytes_down", 9000},
          {"rtt_seconds", 0.034},
          {"bandwidth_bytes_per_second", 100000},
          {"last_contact_ms", now_ms},
          {"last_failure_ms", consecutive_failures ? now_ms : 0},
          {"recent_failures", looks.empty() ? Json::array() : Json::array({looks})},
          {"failures_look_like", looks}};
}

class FleetMonitor : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("fleet");
    home_ = dir_ + "/home";
    db_ = test_db_url();
    viewer_ = fogline_out(with_home({"hub", "token", "create", "--role", "viewer"}));
    developer_ = fogline_out(with_home({"hub", "token", "create", "--role", "developer", "--name", "ci"}));
  }
  void TearDown() override {
    nodes_.clear();
    hub_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> with_home(std::vector<std::string> args) {
    for (auto& a : home_args(home_, db_)) args.push_back(a);
    return args;
  }
  bool start_hub(int64_t quiet_after, const std::string& metrics_token = "") {
    hub_ = std::make_unique<InProcessHub>();
    return hub_->start(home_, db_, quiet_after, metrics_token);
  }
  Node& enroll(const std::string& name, const std::string& labels) {
    std::string token = fogline_out(with_home({"node", "token", "create", "--labels", labels}));
    agent::EnrollOptions opts;
    opts.kdf = crypto::KdfParams::fastest_for_tests();
    opts.name = name;
    std::string data = dir_ + "/node-" + std::to_string(nodes_.size());
    auto state = agent::enroll(hub_->url(), token, data, opts);
    EXPECT_TRUE(state.is_ok()) << state.status().to_string();
    auto node = std::make_unique<Node>();
    if (state.is_ok()) {
      node->state = *state;
      auto id = agent::load_node_identity(data);
      EXPECT_TRUE(id.is_ok());
      node->identity = std::make_unique<crypto::Identity>(std::move(*id));
      node->client = std::make_unique<agent::HubClient>(state->hub_url, state->node_id, *node->identity);
    }
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }
  agent::HttpReply user(const std::string& method, const std::string& target, const std::string& token,
                        const Json& body = nullptr) {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    auto r = agent::http_request(hub_->url(), method, target, body.is_null() ? "" : body.dump(), headers);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : agent::HttpReply{};
  }
  Json user_json(const std::string& method, const std::string& target, const Json& body = nullptr) {
    auto r = user(method, target, method == "GET" ? viewer_ : developer_, body);
    EXPECT_GE(r.status, 200) << r.body;
    EXPECT_LT(r.status, 300) << r.body;
    return Json::parse(r.body, nullptr, false);
  }
  int64_t deploy(const std::string& model, const std::string& version, const std::string& selector,
                 Json extra = Json::object()) {
    extra["model"] = model;
    extra["version"] = version;
    extra["selector"] = selector;
    if (!extra.contains("observe")) extra["observe"] = "1h";
    return user_json("POST", "/api/deployments", extra)["id"].get<int64_t>();
  }
  registry::ProcessResult cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {fogline_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--hub", hub_->url(), "--token", viewer_});
    auto r = registry::run_process(argv);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : registry::ProcessResult{};
  }
  static Json by_name(const Json& list, const std::string& name) {
    for (const auto& n : list["nodes"])
      if (n["name"] == name) return n;
    return nullptr;
  }
  // The exposition as {sample line prefix (name and labels) -> value}; checks the format.
  static std::map<std::string, double> parse_exposition(const std::string& text) {
    std::map<std::string, double> out;
    std::set<std::string> typed;
    std::string help_for;
    std::istringstream in(text);
    std::string line;
    static const std::regex kSample(R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (\S+)$)re");
    while (std::getline(in, line)) {
      if (line.rfind("# HELP ", 0) == 0) {
        help_for = line.substr(7, line.find(' ', 7) - 7);
        continue;
      }
      if (line.rfind("# TYPE ", 0) == 0) {
        std::string name = line.substr(7, line.find(' ', 7) - 7);
        EXPECT_EQ(name, help_for) << "TYPE without HELP just before: " << line;
        std::string type = line.substr(line.rfind(' ') + 1);
        EXPECT_TRUE(type == "counter" || type == "gauge") << line;
        EXPECT_TRUE(typed.insert(name).second) << "family typed twice: " << name;
        continue;
      }
      std::smatch m;
      EXPECT_TRUE(std::regex_match(line, m, kSample)) << "not a sample line: " << line;
      if (m.empty()) continue;
      EXPECT_TRUE(typed.count(m[1])) << "sample before its TYPE: " << line;
      out[line.substr(0, line.rfind(' '))] = std::stod(m[5]);
    }
    return out;
  }

  std::string dir_, home_, db_, viewer_, developer_;
  std::unique_ptr<InProcessHub> hub_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(FleetMonitor, QuietNodesSaySinceWhenAndWhyAndTheCliShowsIt) {
  add_version(home_, db_, "cam", "1", random_bytes(5000, 1));
  ASSERT_TRUE(start_hub(2));
  Node& alive = enroll("alive", "site=a");
  Node& clean = enroll("clean", "site=a");
  Node& net = enroll("net", "site=a");
  Node& full = enroll("full", "site=b");
  enroll("mute", "site=b");
  int64_t id = deploy("cam", "1", "site=a");
  user_json("POST", "/api/deployments/" + std::to_string(id) + "/promote");

  Json running = {{"models", {{{"model", "cam"}, {"version", "1"}, {"state", "running"}, {"metrics", {{"p99_ms", 7}}}}}}};
  ASSERT_EQ(alive.request("POST", "/api/nodes/self/report", running.dump()).status, 200);
  alive.telemetry({{"health", health()}, {"link", link(0, "")}});
  clean.telemetry({{"health", health()}, {"link", link(0, "")}});
  net.telemetry({{"health", health()}, {"link", link(4, "network")}});
  full.telemetry({{"health", health(10000000)}, {"link", link(0, "")}});  // 99% full

  Json now = user_json("GET", "/api/nodes");
  ASSERT_EQ(now["nodes"].size(), 5u) << now;
  EXPECT_EQ(now["quiet_after_seconds"], 2);
  for (const auto& n : now["nodes"]) EXPECT_EQ(n["status"], "ok") << n;
  Json a = by_name(now, "alive");
  EXPECT_EQ(a["labels"]["site"], "a");
  ASSERT_EQ(a["models"].size(), 1u);
  EXPECT_EQ(a["models"][0]["version"], "1");
  EXPECT_EQ(a["models"][0]["state"], "running");
  EXPECT_EQ(a["desired"][0]["version"], "1");
  EXPECT_EQ(a["health"]["cpu_percent"], 23.0);
  EXPECT_EQ(a["link"]["rtt_seconds"], 0.034);
  EXPECT_FALSE(a["enrolled_at"].get<std::string>().empty());
  EXPECT_THAT(by_name(now, "full")["problems"].dump(), HasSubstr("disk 99% full"));

  // Past the threshold only the node that was in touch is ok: its long-poll (3 s, longer than
  // the threshold) counts as contact when it ends.
  int64_t gen = alive.desired()["generation"];
  auto poll = std::async(std::launch::async, [&] {
    return alive.request("GET", "/api/nodes/self/desired?after=" + std::to_string(gen) + "&wait=3").status;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(3300));
  ASSERT_EQ(poll.get(), 200);
  Json later = user_json("GET", "/api/nodes");
  EXPECT_EQ(by_name(later, "alive")["status"], "ok");
  std::map<std::string, std::string> expected = {{"clean", "node"}, {"net", "network"}, {"full", "node"}, {"mute", "unknown"}};
  for (const auto& [name, cause] : expected) {
    Json n = by_name(later, name);
    EXPECT_EQ(n["status"], "quiet") << n;
    EXPECT_EQ(n["diagnosis"], cause) << name << ": " << n["diagnosis_reason"];
    EXPECT_EQ(n["quiet_since"], n["last_seen"]) << n;
    EXPECT_GE(n["seconds_since_contact"].get<int64_t>(), 3);
  }
  EXPECT_THAT(by_name(later, "full")["diagnosis_reason"].get<std::string>(), HasSubstr("disk 99% full"));
  EXPECT_THAT(by_name(later, "clean")["diagnosis_reason"].get<std::string>(), HasSubstr("link was clean"));

  // One node by name or id; an unknown one is a 404 naming it.
  Json one = user_json("GET", "/api/nodes/net");
  EXPECT_EQ(one["id"], net.state.node_id);
  EXPECT_EQ(one["diagnosis"], "network");
  EXPECT_EQ(user_json("GET", "/api/nodes/" + net.state.node_id)["name"], "net");
  auto missing = user("GET", "/api/nodes/nobody", viewer_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("'nobody'"));
  EXPECT_EQ(user("GET", "/api/nodes/net", "").status, 401);

  // The CLI: a table with one row per node, JSON for scripts, one node in detail.
  auto table = cli({"fleet", "status"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("QUIET SINCE"));
  std::istringstream rows(table.out);
  std::string row;
  std::map<std::string, std::string> row_of;
  while (std::getline(rows, row)) row_of[row.substr(0, row.find(' '))] = row;
  EXPECT_THAT(row_of["net"], HasSubstr("quiet"));
  EXPECT_THAT(row_of["net"], HasSubstr("network"));
  EXPECT_THAT(row_of["net"], HasSubstr("34 ms"));
  EXPECT_THAT(row_of["alive"], HasSubstr("cam@1"));
  EXPECT_THAT(row_of["alive"], HasSubstr("23%"));
  EXPECT_THAT(row_of["mute"], HasSubstr("unknown"));
  EXPECT_THAT(table.out, HasSubstr("5 node(s), 4 quiet"));
  auto json = cli({"fleet", "status", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(by_name(Json::parse(json.out), "mute")["diagnosis"], "unknown");

  auto show = cli({"node", "show", "clean"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("quiet since"));
  EXPECT_THAT(show.out, HasSubstr("diagnosis     node: the link was clean"));
  EXPECT_THAT(show.out, HasSubstr(clean.state.node_id));
  auto show_json = cli({"node", "show", alive.state.node_id, "--json"});
  ASSERT_EQ(show_json.exit_code, 0) << show_json.err;
  EXPECT_EQ(Json::parse(show_json.out)["models"][0]["model"], "cam");
  auto nobody = cli({"node", "show", "nobody"});
  EXPECT_NE(nobody.exit_code, 0);
  EXPECT_THAT(nobody.err, HasSubstr("no enrolled node with id or name 'nobody'"));

  auto metrics = parse_exposition(user("GET", "/metrics", "").body);
  EXPECT_EQ(metrics["fogline_hub_nodes{status=\"ok\"}"], 1);
  EXPECT_EQ(metrics["fogline_hub_nodes{status=\"quiet\"}"], 4);
}

TEST_F(FleetMonitor, MetricsAreValidPrometheusTextWithCountersThatMatchWhatHappened) {
  std::string v1 = random_bytes(200000, 1), v2 = v1;
  for (size_t i = 100; i < v2.size(); i += 40000) v2[i] ^= 0x33;
  add_version(home_, db_, "cam", "1", v1);
  add_version(home_, db_, "cam", "2", v2);
  ASSERT_TRUE(start_hub(60));
  Node& node = enroll("cam \"lobby\" \\ 1", "site=a");  // a name that needs escaping
  auto full = node.client->download_bundle("cam", "1", "", dir_ + "/cam1.bundle");
  auto delta = node.client->download_bundle("cam", "2", "1", dir_ + "/cam2.delta");
  ASSERT_TRUE(full.is_ok() && delta.is_ok()) << delta.status().to_string();
  ASSERT_TRUE(delta->delta);
  Json first = node.telemetry({{"health", health()}, {"link", link(0, "")}, {"event.test", {{"n", 1}}}});
  EXPECT_EQ(first["accepted"], 3);
  Json again = node.telemetry({{"health", health()}, {"link", link(0, "")}, {"event.test", {{"n", 2}}}}, 2);
  EXPECT_EQ(again["duplicates"], 2);
  EXPECT_EQ(user("GET", "/api/no/such/route", viewer_).status, 404);

  auto reply = user("GET", "/metrics", "");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.header("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  auto m = parse_exposition(reply.body);
  EXPECT_EQ(m["fogline_hub_telemetry_records_total"], 4);
  EXPECT_EQ(m["fogline_hub_telemetry_duplicates_total"], 2);
  EXPECT_EQ(m["fogline_hub_bundle_bytes_served_total"], static_cast<double>(full->size + delta->size));
  EXPECT_EQ(m["fogline_hub_delta_bytes_saved_total"], static_cast<double>(delta->full_size - delta->size));
  EXPECT_EQ(m["fogline_hub_http_requests_total{route=\"/api/bundles/{model}/{version}\",method=\"GET\",status=\"200\"}"], 2);
  EXPECT_EQ(m["fogline_hub_http_requests_total{route=\"/api/nodes/self/telemetry\",method=\"POST\",status=\"200\"}"], 2);
  EXPECT_EQ(m["fogline_hub_http_requests_total{route=\"(unmatched)\",method=\"GET\",status=\"404\"}"], 1);
  EXPECT_EQ(m["fogline_hub_nodes{status=\"ok\"}"], 1);
  EXPECT_EQ(m["fogline_hub_deployments{state=\"promoted\"}"], 0);
  // `node show` finds it by that name (percent-encoded on the way).
  auto shown = cli({"node", "show", "cam \"lobby\" \\ 1", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(Json::parse(shown.out)["id"], node.state.node_id);
  std::string contact = "fogline_hub_node_last_contact_seconds{node=\"" + node.state.node_id +
                        "\",name=\"cam \\\"lobby\\\" \\\\ 1\"}";
  ASSERT_TRUE(m.count(contact)) << reply.body;
  EXPECT_NEAR(m[contact], static_cast<double>(std::time(nullptr)), 30);

  // /metrics is in the OpenAPI document, as text.
  Json doc = user_json("GET", "/api/openapi.json");
  EXPECT_TRUE(doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"].contains("text/plain; version=0.0.4"));
}

TEST_F(FleetMonitor, WithAMetricsTokenMetricsWantItOrAnApiToken) {
  ASSERT_TRUE(start_hub(60, "scrape-secret"));
  EXPECT_EQ(user("GET", "/metrics", "").status, 401);
  EXPECT_EQ(user("GET", "/metrics", "scrape-secreT").status, 401);
  auto ok = user("GET", "/metrics", "scrape-secret");
  EXPECT_EQ(ok.status, 200);
  EXPECT_THAT(ok.body, HasSubstr("# TYPE fogline_hub_nodes gauge"));
  EXPECT_EQ(user("GET", "/metrics", viewer_).status, 200);
  EXPECT_EQ(user("GET", "/api/health", "").status, 200);  // everything else unchanged

  // The same from the environment, so the token need not be in the process list.
  hub_.reset();
  ::setenv("FOGLINE_HUB_METRICS_TOKEN", "from-env", 1);
  bool started = start_hub(60);
  ::unsetenv("FOGLINE_HUB_METRICS_TOKEN");
  ASSERT_TRUE(started);
  EXPECT_EQ(user("GET", "/metrics", "").status, 401);
  EXPECT_EQ(user("GET", "/metrics", "from-env").status, 200);
}

// The real agent: its health and link telemetry and its report fill the status; killed, it
// goes quiet with a clean link, which reads as the node.
TEST_F(FleetMonitor, ARealAgentFillsItsStatusAndAKilledOneLooksLikeTheNode) {
  ASSERT_TRUE(start_hub(2));
  std::string token = fogline_out(with_home({"node", "token", "create", "--labels", "site=a,camera=9"}));
  ChildProcess agent_process;
  ASSERT_TRUE(agent_process.start({std::string(FOGLINE_BINARY_DIR) + "/fogline-node", "--hub", hub_->url(), "--enroll",
                                   token, "--data-dir", dir_ + "/real", "--name", "real", "--listen", "127.0.0.1:0",
                                   "--report-interval", "0.3", "--poll-wait", "1"},
                                  "fogline-node listening on ", dir_ + "/real.log"))
      << "fogline-node did not start";
  auto wait_for = [&](const std::function<bool(const Json&)>& done, int seconds) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    Json n;
    do {
      auto r = user("GET", "/api/nodes/real", viewer_);
      n = Json::parse(r.body, nullptr, false);
      if (r.status == 200 && done(n)) return n;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } while (std::chrono::steady_clock::now() < deadline);
    return n;
  };
  Json n = wait_for([](const Json& j) { return j["health"].is_object() && j["link"].is_object() && !j["report_at"].is_null(); }, 30);
  ASSERT_TRUE(n["health"].is_object()) << n;
  EXPECT_EQ(n["status"], "ok");
  EXPECT_EQ(n["labels"]["camera"], "9");
  EXPECT_GT(n["health"]["mem_total_bytes"].get<double>(), 0);
  EXPECT_GT(n["health"]["disk_total_bytes"].get<double>(), 0);
  EXPECT_GT(n["health"]["uptime_seconds"].get<double>(), 0);
  EXPECT_GE(n["link"]["attempts"].get<double>(), 1);
  EXPECT_EQ(n["link"]["consecutive_failures"], 0);
  EXPECT_TRUE(n["models"].is_array());

  agent_process.kill_now();
  Json quiet = wait_for([](const Json& j) { return j["status"] == "quiet"; }, 15);
  EXPECT_EQ(quiet["status"], "quiet") << quiet;
  EXPECT_EQ(quiet["diagnosis"], "node") << quiet["diagnosis_reason"];
  auto show = cli({"node", "show", "real"});
  EXPECT_THAT(show.out, HasSubstr("diagnosis     node: "));
}

TEST_F(FleetMonitor, ANodeEnrolledAfterDeploymentsGetsThem) {
  for (const char* model : {"cam", "det"})
    for (const char* v : {"1", "2"}) add_version(home_, db_, model, v, random_bytes(3000, static_cast<uint32_t>(model[0] + v[0])));
  ASSERT_TRUE(start_hub(60));
  Node& first = enroll("first", "site=a");
  user_json("POST", "/api/deployments/" + std::to_string(deploy("cam", "1", "site=a")) + "/promote");
  int64_t cam2 = deploy("cam", "2", "site=a");
  user_json("POST", "/api/deployments/" + std::to_string(cam2) + "/promote");
  // det@1 still in its canary phase on the first node.
  int64_t det = deploy("det", "1", "site=a", {{"canary_nodes", {first.state.node_id}}});
  EXPECT_EQ(first.entry("det")["version"], "1");

  Node& late = enroll("late", "site=a");
  Node& other = enroll("other", "site=b");
  Json cam = late.entry("cam");
  ASSERT_TRUE(cam.is_object()) << late.desired();
  EXPECT_EQ(cam["version"], "2");
  EXPECT_EQ(cam["previous_version"], "1");  // its rollback target, as for the first node
  EXPECT_TRUE(late.entry("det").is_null());  // not a canary: it waits for the promotion
  EXPECT_EQ(other.desired()["models"].size(), 0u);

  int64_t before = late.desired()["generation"];
  user_json("POST", "/api/deployments/" + std::to_string(det) + "/promote");
  EXPECT_GT(late.desired()["generation"].get<int64_t>(), before);
  EXPECT_EQ(late.entry("det")["version"], "1");
  Json d = user_json("GET", "/api/deployments/" + std::to_string(det));
  EXPECT_THAT(d["assignments"].dump(), HasSubstr(late.state.node_id));

  // Rolling cam@2 back takes the late node back to cam@1 too.
  user_json("POST", "/api/deployments/" + std::to_string(cam2) + "/rollback");
  EXPECT_EQ(late.entry("cam")["version"], "1");
  EXPECT_EQ(first.entry("cam")["version"], "1");
}

}  // namespace
}  // namespace fogline::hub::testing
