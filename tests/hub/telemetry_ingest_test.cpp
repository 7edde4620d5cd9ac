// Telemetry ingest against the real `fogline hub` process: an enrolled node POSTs batches
// made by the node's own encoder (zstd, signed by its key); the hub stores each (queue id,
// seq) once, counts resent records as duplicates (also after a hub restart), keeps the largest
// drop counters, refuses batches that are not the signer's or not well formed, and shows the
// result to developers at GET /api/nodes/{id}/telemetry (viewers are refused).
#include <gmock/gmock.h>

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

class TelemetryIngest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("telemetry");
    home_ = dir_ + "/home";
    db_ = test_db_url();
    developer_ = fogline_out(with_home({"hub", "token", "create", "--role", "developer", "--name", "ci"}));
    viewer_ = fogline_out(with_home({"hub", "token", "create", "--role", "viewer"}));
    hub_ = std::make_unique<HubProcess>();
    ASSERT_TRUE(hub_->start(home_, db_)) << "fogline hub did not start";
    std::string token = fogline_out(with_home({"node", "token", "create", "--labels", "site=a"}));
    agent::EnrollOptions opts;
    opts.kdf = crypto::KdfParams::fastest_for_tests();
    auto state = agent::enroll(hub_->url(), token, dir_ + "/node", opts);
    ASSERT_TRUE(state.is_ok()) << state.status().to_string();
    state_ = *state;
    auto id = agent::load_node_identity(dir_ + "/node");
    ASSERT_TRUE(id.is_ok());
    identity_ = std::make_unique<crypto::Identity>(std::move(*id));
  }
  void TearDown() override {
    hub_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> with_home(std::vector<std::string> args) {
    for (auto& a : home_args(home_, db_)) args.push_back(a);
    return args;
  }

  tm::BatchHeader header(const std::string& queue_id, uint64_t floor) {
    tm::BatchHeader h;
    h.node_id = state_.node_id;
    h.queue_id = queue_id;
    h.floor_seq = floor;
    h.sent_ms = 1764070000000;
    return h;
  }
  static std::vector<tm::Record> records(uint64_t first, uint64_t count, const std::string& kind) {
    std::vector<tm::Record> out;
    for (uint64_t s = first; s < first + count; ++s) {
      tm::Record r;
      r.seq = s;
      r.priority = tm::Priority::kNormal;
      r.time_ms = 1764070000000 + static_cast<int64_t>(s);
      r.kind = kind;
      r.body = Json{{"n", s}}.dump();
      out.push_back(r);
    }
    return out;
  }
  // POSTs `body` signed as the node; status and parsed reply.
  std::pair<int, Json> post(const std::string& body) {
    agent::HubClient client(hub_->url(), state_.node_id, *identity_);
    auto r = client.request("POST", "/api/nodes/self/telemetry", body, {{"Content-Encoding", "zstd"}});
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    if (!r.is_ok()) return {0, nullptr};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }
  std::pair<int, Json> post(const tm::BatchHeader& h, const std::vector<tm::Record>& recs) {
    auto encoded = tm::encode_batch(h, recs);
    EXPECT_TRUE(encoded.is_ok());
    return post(*encoded);
  }
  std::pair<int, Json> view(const std::string& token, const std::string& query = "") {
    auto r = agent::http_request(hub_->url(), "GET", "/api/nodes/" + state_.node_id + "/telemetry" + query, "",
                                 {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r.is_ok());
    if (!r.is_ok()) return {0, nullptr};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }

  std::string dir_, home_, db_, developer_, viewer_;
  std::unique_ptr<HubProcess> hub_;
  agent::NodeState state_;
  std::unique_ptr<crypto::Identity> identity_;
};

TEST_F(TelemetryIngest, CountsEachSequenceOnceAcrossResendsAndRestarts) {
  auto [s1, r1] = post(header("q1", 1), records(1, 10, "health"));
  ASSERT_EQ(s1, 200) << r1.dump();
  EXPECT_EQ(r1["accepted"], 10);
  EXPECT_EQ(r1["duplicates"], 0);

  // The reply was "lost": the node sends the same records again, plus new ones.
  auto [s2, r2] = post(header("q1", 1), records(5, 10, "health"));
  ASSERT_EQ(s2, 200) << r2.dump();
  EXPECT_EQ(r2["accepted"], 4);
  EXPECT_EQ(r2["duplicates"], 6);

  // The hub restarts; what it stored before is still known.
  hub_->stop();
  ASSERT_TRUE(hub_->start(home_, db_));
  auto [s3, r3] = post(header("q1", 5), records(14, 3, "event.model_activated"));
  ASSERT_EQ(s3, 200) << r3.dump();
  EXPECT_EQ(r3["accepted"], 2);
  EXPECT_EQ(r3["duplicates"], 1);

  // A wiped data dir means a new queue id: its sequences start over and count separately.
  auto [s4, r4] = post(header("q2", 1), records(1, 2, "health"));
  ASSERT_EQ(s4, 200);
  EXPECT_EQ(r4["accepted"], 2);

  auto [vs, v] = view(developer_, "?limit=5");
  ASSERT_EQ(vs, 200) << v.dump();
  EXPECT_EQ(v["records"], 18);
  EXPECT_EQ(v["duplicates"], 7);
  EXPECT_EQ(v["by_kind"]["health"], 16);
  EXPECT_EQ(v["by_kind"]["event.model_activated"], 2);
  ASSERT_EQ(v["queues"].size(), 2u);
  Json q1 = v["queues"][0]["queue_id"] == "q1" ? v["queues"][0] : v["queues"][1];
  EXPECT_EQ(q1["records"], 16);
  EXPECT_EQ(q1["min_seq"], 1);
  EXPECT_EQ(q1["max_seq"], 16);
  EXPECT_EQ(q1["batches"], 3);
  EXPECT_EQ(q1["floor_seq"], 5);
  EXPECT_EQ(v["recent"].size(), 5u);
  EXPECT_EQ(v["recent"][0]["body"]["n"], 16);

  auto [only_kind_status, only_kind] = view(developer_, "?kind=event.model_activated");
  ASSERT_EQ(only_kind_status, 200);
  EXPECT_EQ(only_kind["recent"].size(), 2u);
}

TEST_F(TelemetryIngest, KeepsTheLargestDropCounters) {
  tm::BatchHeader h = header("q1", 1);
  h.dropped.records[0] = 5;
  h.dropped.bytes[0] = 500;
  ASSERT_EQ(post(h, records(1, 1, "health")).first, 200);
  // An older batch arriving late carries smaller cumulative counters: they never go down.
  h.dropped.records[0] = 3;
  h.dropped.bytes[0] = 300;
  ASSERT_EQ(post(h, records(2, 1, "health")).first, 200);
  auto [s, v] = view(developer_);
  ASSERT_EQ(s, 200);
  EXPECT_EQ(v["queues"][0]["dropped"]["low"]["records"], 5) << v.dump();
  EXPECT_EQ(v["queues"][0]["dropped"]["low"]["bytes"], 500);
}

TEST_F(TelemetryIngest, RefusesForeignOrMalformedBatchesAndViewers) {
  tm::BatchHeader other = header("q1", 1);
  other.node_id = "n-someone-else";
  auto [s1, r1] = post(other, records(1, 1, "health"));
  EXPECT_EQ(s1, 400);
  EXPECT_THAT(r1.dump(), HasSubstr("is not the signing node"));

  auto [s2, r2] = post(std::string("not zstd at all"));
  EXPECT_EQ(s2, 400);
  EXPECT_THAT(r2.dump(), HasSubstr("zstd"));

  auto bad = tm::zstd_compress(R"({"format": "fogline-telemetry", "version": 1, "node_id": ")" + state_.node_id +
                                   R"(", "queue_id": "q", "records": [{"seq": 0, "priority": "normal", "time_ms": 1,
                                   "kind": "health", "body": {}}]})",
                               3);
  ASSERT_TRUE(bad.is_ok());
  auto [s3, r3] = post(*bad);
  EXPECT_EQ(s3, 400);
  EXPECT_THAT(r3.dump(), HasSubstr("records[0].seq"));

  // Unsigned: refused before the body is looked at.
  auto unsigned_post = agent::http_request(hub_->url(), "POST", "/api/nodes/self/telemetry", "x", {});
  ASSERT_TRUE(unsigned_post.is_ok());
  EXPECT_EQ(unsigned_post->status, 401);

  EXPECT_EQ(view(viewer_).first, 403);
  auto [dev_status, dev] = view(developer_);
  EXPECT_EQ(dev_status, 200);
  EXPECT_EQ(dev["records"], 0);
}

}  // namespace
}  // namespace fogline::hub::testing
