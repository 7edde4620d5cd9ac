// The real `fogline hub` process on loopback: token roles, the OpenAPI document against
// the route table, enrollment, signed node requests (tampered, replayed, stale), and bundle
// delivery (Range resume, patch-from deltas) read back with the node's own agent code.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <httplib.h>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/http_signature.h"
#include "hub/route.h"
#include "hub_fixture.h"
#include "node/agent/bundle_reader.h"
#include "node/agent/enroll.h"
#include "node/agent/hub_client.h"

namespace fogline::hub::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
namespace agent = node::agent;

class HubServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_temp_dir("hub");
    home_ = dir_ + "/home";
    db_ = test_db_url();
    v1_ = random_bytes(300000, 1);
    // v2: the same weights with a few changed bytes and a new tail, as after fine-tuning a head.
    v2_ = v1_;
    for (size_t i = 1000; i < v2_.size(); i += 50000) v2_[i] ^= 0x5a;
    v2_ += random_bytes(2000, 2);
    add_version(home_, db_, "cam", "1", v1_, {{"preprocess", {{"size", {224, 224}}}}});
    add_version(home_, db_, "cam", "2", v2_, {{"preprocess", {{"size", {224, 224}}}}});
    admin_ = fogline_out(with_home({"hub", "token", "create", "--role", "admin"}));
    developer_ = fogline_out(with_home({"hub", "token", "create", "--role", "developer", "--name", "ci"}));
    viewer_ = fogline_out(with_home({"hub", "token", "create", "--role", "viewer"}));
    hub_ = new HubProcess();
    ASSERT_TRUE(hub_->start(home_, db_, {"--signature-window", "60"})) << "fogline hub did not start";
  }
  static void TearDownTestSuite() {
    delete hub_;
    hub_ = nullptr;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::vector<std::string> with_home(std::vector<std::string> args) {
    for (auto& a : home_args(home_, db_)) args.push_back(a);
    return args;
  }

  static agent::HttpReply call(const std::string& method, const std::string& target, const std::string& token,
                               const std::string& body = "") {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    auto r = agent::http_request(hub_->url(), method, target, body, headers);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : agent::HttpReply{};
  }

  // Enrolls a fresh node into its own data dir.
  static agent::NodeState enroll_node(const std::string& name, const std::string& labels = "site=a,camera=3") {
    std::string token = fogline_out(with_home({"node", "token", "create", "--labels", labels}));
    agent::EnrollOptions opts;
    opts.kdf = crypto::KdfParams::fastest_for_tests();
    auto state = agent::enroll(hub_->url(), token, dir_ + "/" + name, opts);
    EXPECT_TRUE(state.is_ok()) << state.status().to_string();
    return state.is_ok() ? *state : agent::NodeState{};
  }

  static inline std::string dir_, home_, db_, v1_, v2_, admin_, developer_, viewer_;
  static inline HubProcess* hub_ = nullptr;
};

TEST_F(HubServer, TokenRolesAreChecked) {
  auto none = call("GET", "/api/models", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.body, HasSubstr("missing credentials"));
  EXPECT_EQ(call("GET", "/api/models", "fgl_0000").status, 401);

  auto models = call("GET", "/api/models", viewer_);
  ASSERT_EQ(models.status, 200) << models.body;
  EXPECT_EQ(Json::parse(models.body)["models"][0]["name"], "cam");
  auto version = call("GET", "/api/models/cam/versions/2", viewer_);
  ASSERT_EQ(version.status, 200);
  EXPECT_EQ(Json::parse(version.body)["processing_spec"]["preprocess"]["size"][0], 224);
  EXPECT_EQ(call("GET", "/api/models/cam/versions/9", viewer_).status, 404);

  Json promote = {{"stage", "staging"}, {"note", "canary next"}};
  auto refused = call("POST", "/api/models/cam/versions/1/promote", viewer_, promote.dump());
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("needs role developer, token has viewer"));
  EXPECT_EQ(call("POST", "/api/models/cam/versions/1/promote", "", promote.dump()).status, 401);
  auto promoted = call("POST", "/api/models/cam/versions/1/promote", developer_, promote.dump());
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(Json::parse(promoted.body)["to"], "staging");
  EXPECT_EQ(call("POST", "/api/models/cam/versions/1/promote", developer_, R"({"stage": "live"})").status, 400);

  auto tagged = call("POST", "/api/models/cam/versions/2/tags", developer_, R"({"tag": "lobby"})");
  ASSERT_EQ(tagged.status, 200) << tagged.body;
  EXPECT_EQ(Json::parse(call("GET", "/api/models/cam/versions/lobby", viewer_).body)["version"], "2");

  auto history = call("GET", "/api/models/cam/versions/1/history", viewer_);
  ASSERT_EQ(history.status, 200);
  Json last = Json::parse(history.body)["history"].back();
  EXPECT_EQ(last["to_stage"], "staging");
  EXPECT_EQ(last["actor"], "token:ci");

  // Only admins make tokens; the new token works with its role.
  EXPECT_EQ(call("POST", "/api/tokens", developer_, R"({"role": "admin"})").status, 403);
  auto made = call("POST", "/api/tokens", admin_, R"({"role": "viewer", "name": "dash"})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(call("GET", "/api/nodes", Json::parse(made.body)["token"]).status, 200);
}

TEST_F(HubServer, OpenApiDocumentListsEveryRouteAndEveryRouteIsServed) {
  auto doc_reply = call("GET", "/api/openapi.json", "");
  ASSERT_EQ(doc_reply.status, 200);
  Json doc = Json::parse(doc_reply.body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  size_t operations = 0;
  for (auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  EXPECT_EQ(operations, route_table().size());
  for (const Route& r : route_table()) {
    std::string method;
    for (char c : r.method) method += static_cast<char>(std::tolower(c));
    ASSERT_TRUE(doc["paths"].contains(r.path)) << r.path;
    ASSERT_TRUE(doc["paths"][r.path].contains(method)) << r.method << " " << r.path;
    const Json& op = doc["paths"][r.path][method];
    EXPECT_EQ(op["x-fogline-access"], r.access.describe());
    if (r.access.user) EXPECT_EQ(op["x-fogline-min-role"], role_name(*r.access.user));
    // The server registered the same route: it answers, with something other than "no route".
    std::string target = r.path;
    for (const auto& p : path_parameters(r.path)) target.replace(target.find("{" + p + "}"), p.size() + 2, "x");
    auto reply = call(r.method, target, admin_, "{}");
    EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("no route"))) << r.method << " " << target;
  }
}

TEST_F(HubServer, EnrollmentTokensAreSingleUseAndExpire) {
  std::string token = fogline_out(with_home({"node", "token", "create", "--labels", "site=b,camera=7"}));
  ASSERT_EQ(token.rfind("fge_", 0), 0u);
  agent::EnrollOptions opts;
  opts.kdf = crypto::KdfParams::fastest_for_tests();
  auto first = agent::enroll(hub_->url(), token, dir_ + "/enroll-1", opts);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_EQ(first->labels.at("camera"), "7");
  struct stat st {};
  ASSERT_EQ(stat(agent::node_key_path(dir_ + "/enroll-1").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = agent::load_node_state(dir_ + "/enroll-1");
  ASSERT_TRUE(loaded.is_ok());
  EXPECT_EQ(loaded->node_id, first->node_id);
  EXPECT_EQ(loaded->hub_url, hub_->url());

  auto second = agent::enroll(hub_->url(), token, dir_ + "/enroll-2", opts);
  ASSERT_FALSE(second.is_ok());
  EXPECT_THAT(second.status().message(), HasSubstr("already used"));
  EXPECT_FALSE(fs::exists(agent::node_key_path(dir_ + "/enroll-2")));
  auto again = agent::enroll(hub_->url(), token, dir_ + "/enroll-1", opts);
  EXPECT_THAT(again.status().message(), HasSubstr("already holds an enrolled node"));

  std::string short_lived = fogline_out(with_home({"node", "token", "create", "--expires", "1s"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto late = agent::enroll(hub_->url(), short_lived, dir_ + "/enroll-3", opts);
  ASSERT_FALSE(late.is_ok());
  EXPECT_THAT(late.status().message(), HasSubstr("expired"));
  auto unknown = agent::enroll(hub_->url(), "fge_00", dir_ + "/enroll-4", opts);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown enrollment token"));

  auto nodes = call("GET", "/api/nodes", viewer_);
  EXPECT_THAT(nodes.body, HasSubstr(first->node_id));
}

TEST_F(HubServer, SignedNodeRequestsAreAcceptedAndForgeriesRefused) {
  agent::NodeState state = enroll_node("signed");
  auto identity = agent::load_node_identity(dir_ + "/signed");
  ASSERT_TRUE(identity.is_ok()) << identity.status().to_string();
  agent::HubClient client(state.hub_url, state.node_id, *identity);
  auto self = client.request("GET", "/api/nodes/self");
  ASSERT_TRUE(self.is_ok());
  ASSERT_EQ(self->status, 200) << self->body;
  EXPECT_EQ(Json::parse(self->body)["labels"]["site"], "a");
  auto beat = client.request("POST", "/api/nodes/self/heartbeat", R"({"status": {"uptime": 5}})");
  ASSERT_EQ(beat->status, 200) << beat->body;
  // Tokens and signatures are not interchangeable.
  EXPECT_EQ(call("GET", "/api/nodes/self", admin_).status, 401);
  EXPECT_EQ(client.request("GET", "/api/models")->status, 401);

  // Sends a request signed by hand, so each part can be altered.
  auto send = [&](const std::string& body_signed, const std::string& body_sent, int64_t created,
                  const std::string& nonce) {
    crypto::HttpRequestParts parts{"POST", "/api/nodes/self/heartbeat", "", body_signed};
    auto h = crypto::sign_request(parts, *identity, {created, nonce, state.node_id});
    auto r = agent::http_request(hub_->url(), "POST", "/api/nodes/self/heartbeat", body_sent,
                                 {{"Content-Digest", h.content_digest},
                                  {"Signature-Input", h.signature_input},
                                  {"Signature", h.signature}});
    EXPECT_TRUE(r.is_ok());
    return *r;
  };
  int64_t now = std::time(nullptr);
  std::string nonce = crypto::random_nonce();
  EXPECT_EQ(send("{}", "{}", now, nonce).status, 200);
  auto replayed = send("{}", "{}", now, nonce);
  EXPECT_EQ(replayed.status, 401);
  EXPECT_THAT(replayed.body, HasSubstr("replayed nonce"));
  auto tampered = send(R"({"a":1})", R"({"a":2})", now, crypto::random_nonce());
  EXPECT_EQ(tampered.status, 401);
  EXPECT_THAT(tampered.body, HasSubstr("Content-Digest does not match"));
  auto stale = send("{}", "{}", now - 600, crypto::random_nonce());
  EXPECT_EQ(stale.status, 401);
  EXPECT_THAT(stale.body, HasSubstr("stale signature"));
  EXPECT_EQ(send("{}", "{}", now + 600, crypto::random_nonce()).status, 401);

  // Nonces outlive a hub restart: the same request sent to the restarted hub is refused.
  std::string restart_nonce = crypto::random_nonce();
  EXPECT_EQ(send("{}", "{}", now, restart_nonce).status, 200);
  hub_->stop();
  ASSERT_TRUE(hub_->start(home_, db_, {"--signature-window", "60"}));
  auto after_restart = send("{}", "{}", now, restart_nonce);
  EXPECT_EQ(after_restart.status, 401);
  EXPECT_THAT(after_restart.body, HasSubstr("replayed nonce"));

  // Another key claiming this node's id.
  crypto::Identity thief = crypto::Identity::generate(crypto::IdentityKind::kNode, "thief");
  agent::HubClient forged(hub_->url(), state.node_id, thief);  // the restarted hub has a new port
  auto refused = forged.request("GET", "/api/nodes/self");
  ASSERT_TRUE(refused.is_ok()) << refused.status().to_string();
  EXPECT_EQ(refused->status, 401);
  EXPECT_THAT(refused->body, HasSubstr("does not verify"));
  agent::HubClient stranger(hub_->url(), "node-unknown", thief);
  EXPECT_EQ(stranger.request("GET", "/api/nodes/self")->status, 401);
}

TEST_F(HubServer, BundleDownloadsResumeWithRange) {
  agent::NodeState state = enroll_node("bundles");
  auto identity = agent::load_node_identity(dir_ + "/bundles");
  ASSERT_TRUE(identity.is_ok());
  agent::HubClient client(state.hub_url, state.node_id, *identity);
  std::string dest = dir_ + "/bundles/cam-1.bundle";
  auto whole = client.download_bundle("cam", "1", "", dest);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  EXPECT_FALSE(whole->delta);
  EXPECT_EQ(whole->bytes_received, whole->size);
  auto bytes = read_file(dest);
  ASSERT_TRUE(bytes.is_ok());
  auto opened = agent::open_bundle(*bytes, state.hub_public_key);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_EQ(opened->files[0].path, "model.onnx");
  EXPECT_EQ(opened->files[0].bytes, v1_);

  // A download cut off after 40% continues from there and ends with the same bytes.
  std::string resumed_dest = dir_ + "/bundles/cam-1-again.bundle";
  size_t cut = bytes->size() * 2 / 5;
  ASSERT_TRUE(write_file_atomic(resumed_dest + ".part", bytes->substr(0, cut)).is_ok());
  ASSERT_TRUE(write_file_atomic(resumed_dest + ".part.etag", whole->etag).is_ok());
  auto resumed = client.download_bundle("cam", "1", "", resumed_dest);
  ASSERT_TRUE(resumed.is_ok()) << resumed.status().to_string();
  EXPECT_EQ(resumed->bytes_received, static_cast<int64_t>(bytes->size() - cut));
  EXPECT_EQ(read_file(resumed_dest).value(), *bytes);

  // A connection the node drops mid-download leaves the hub serving, and the download
  // continues from the bytes that arrived.
  std::string broken_dest = dir_ + "/bundles/cam-1-broken.bundle";
  {
    httplib::Client raw(hub_->url());
    std::string got, etag;
    auto cut_short = raw.Get(
        "/api/bundles/cam/1", {{"Authorization", "Bearer " + viewer_}},
        [&](const httplib::Response& r) {
          etag = r.get_header_value("ETag");
          return true;
        },
        [&](const char* data, size_t n) {
          got.append(data, n);
          return got.size() < 1000;  // hang up after the first chunk
        });
    EXPECT_FALSE(cut_short);
    ASSERT_FALSE(got.empty());
    ASSERT_LT(got.size(), bytes->size());
    ASSERT_TRUE(write_file_atomic(broken_dest + ".part", got).is_ok());
    ASSERT_TRUE(write_file_atomic(broken_dest + ".part.etag", etag).is_ok());
    EXPECT_EQ(call("GET", "/api/health", "").status, 200);
    auto continued = client.download_bundle("cam", "1", "", broken_dest);
    ASSERT_TRUE(continued.is_ok()) << continued.status().to_string();
    EXPECT_EQ(continued->bytes_received, static_cast<int64_t>(bytes->size() - got.size()));
    EXPECT_EQ(read_file(broken_dest).value(), *bytes);
  }

  // A partial file of some other bundle (different ETag) is not continued but replaced.
  std::string stale_dest = dir_ + "/bundles/cam-1-stale.bundle";
  ASSERT_TRUE(write_file_atomic(stale_dest + ".part", "garbage").is_ok());
  ASSERT_TRUE(write_file_atomic(stale_dest + ".part.etag", "\"other\"").is_ok());
  auto restarted = client.download_bundle("cam", "1", "", stale_dest);
  ASSERT_TRUE(restarted.is_ok()) << restarted.status().to_string();
  EXPECT_EQ(read_file(stale_dest).value(), *bytes);

  auto missing = client.download_bundle("cam", "7", "", dir_ + "/bundles/cam-7.bundle");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("answered 404"));
  EXPECT_THAT(missing.status().message(), HasSubstr("no version"));

  // Plain Range requests by a viewer token get 206 and Content-Range.
  httplib::Client raw(hub_->url());
  auto part = raw.Get("/api/bundles/cam/1", {{"Authorization", "Bearer " + viewer_}, {"Range", "bytes=10-19"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, bytes->substr(10, 10));
  EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 10-19/" + std::to_string(bytes->size()));
}

TEST_F(HubServer, DeltaIsSmallerAndRebuildsTheExactPayload) {
  agent::NodeState state = enroll_node("delta");
  auto identity = agent::load_node_identity(dir_ + "/delta");
  ASSERT_TRUE(identity.is_ok());
  agent::HubClient client(state.hub_url, state.node_id, *identity);
  auto v1 = client.download_bundle("cam", "1", "", dir_ + "/delta/v1.bundle");
  auto v2_full = client.download_bundle("cam", "2", "", dir_ + "/delta/v2.bundle");
  auto v2_delta = client.download_bundle("cam", "2", "1", dir_ + "/delta/v2.delta");
  ASSERT_TRUE(v1.is_ok() && v2_full.is_ok() && v2_delta.is_ok()) << v2_delta.status().to_string();
  EXPECT_TRUE(v2_delta->delta);
  EXPECT_EQ(v2_delta->full_size, v2_full->size);
  EXPECT_LT(v2_delta->size * 10, v2_full->size) << "delta " << v2_delta->size << " vs full " << v2_full->size;

  auto base = agent::open_bundle(read_file(v1->path).value(), state.hub_public_key);
  ASSERT_TRUE(base.is_ok());
  auto full = agent::open_bundle(read_file(v2_full->path).value(), state.hub_public_key);
  ASSERT_TRUE(full.is_ok());
  std::string delta_bytes = read_file(v2_delta->path).value();
  auto rebuilt = agent::open_bundle(delta_bytes, state.hub_public_key, base->payload);
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().to_string();
  EXPECT_EQ(rebuilt->payload, full->payload);
  EXPECT_EQ(rebuilt->files[0].bytes, v2_);
  // Without the base, or against the wrong one, the delta is refused with the reason.
  EXPECT_THAT(agent::open_bundle(delta_bytes, state.hub_public_key).status().message(), HasSubstr("no base payload"));
  EXPECT_THAT(agent::open_bundle(delta_bytes, state.hub_public_key, full->payload).status().message(),
              HasSubstr("the node holds"));

  auto info = call("GET", "/api/bundles/cam/2/info?from=1", viewer_);
  ASSERT_EQ(info.status, 200);
  Json j = Json::parse(info.body);
  EXPECT_EQ(j["encoding"], "delta");
  EXPECT_EQ(j["size"], v2_delta->size);
  EXPECT_EQ(j["saved_bytes"], v2_full->size - v2_delta->size);
  EXPECT_EQ(call("GET", "/api/bundles/cam/2?from=nope!", viewer_).status, 400);
}

TEST(HubTls, ServesHttpsWithTheGivenCertificate) {
  std::string dir = make_temp_dir("hub-tls");
  std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  auto made = registry::run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                     "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                                     "-addext", "subjectAltName=IP:127.0.0.1"});
  if (!made.is_ok() || made->exit_code != 0) GTEST_SKIP() << "openssl CLI could not make a certificate";
  HubProcess hub;
  ASSERT_TRUE(hub.start(dir + "/home", "", {"--tls-cert", cert, "--tls-key", key}));
  ASSERT_EQ(hub.url().rfind("https://127.0.0.1:", 0), 0u) << hub.url();
  agent::ClientOptions opts;
  opts.ca_cert_path = cert;
  auto health = agent::http_request(hub.url(), "GET", "/api/health", "", {}, opts);
  ASSERT_TRUE(health.is_ok()) << health.status().to_string();
  EXPECT_EQ(health->status, 200);
  // Without trusting the certificate the client refuses the connection.
  agent::ClientOptions strict;
  strict.ca_cert_path = dir + "/key.pem";
  EXPECT_FALSE(agent::http_request(hub.url(), "GET", "/api/health", "", {}, strict).is_ok());
  hub.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace fogline::hub::testing
