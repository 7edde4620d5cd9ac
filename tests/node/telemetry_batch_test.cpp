// The batch format, de-duplication by sequence, and the sender against a real HTTP server on
// loopback that de-duplicates like the hub will: exact counts despite lost replies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <gtest/gtest.h>

#include "node/telemetry/batch.h"
#include "node/telemetry/health_collector.h"
#include "node/telemetry/link_stats.h"
#include "node/telemetry/sender.h"
#include "node/telemetry/sequence_window.h"
#include "node_fixtures.h"

namespace fogline::telemetry {
namespace {

using node::testing::TempDir;

TEST(TelemetryBatch, RoundTripsThroughZstd) {
  BatchHeader h;
  h.node_id = "n-1";
  h.queue_id = "00ff00ff00ff00ff";
  h.floor_seq = 7;
  h.sent_ms = 123;
  h.dropped.records[0] = 4;
  h.dropped.bytes[0] = 512;
  std::vector<Record> records = {{7, Priority::kHigh, 1000, "event.rollback", "{\"to\":\"2\"}"},
                                 {9, Priority::kLow, 1001, "sample", "not json"}};
  auto enc = encode_batch(h, records);
  ASSERT_TRUE(enc.is_ok());
  EXPECT_EQ(static_cast<unsigned char>((*enc)[0]), 0x28);  // zstd frame magic 28 B5 2F FD
  auto dec = decode_batch(*enc);
  ASSERT_TRUE(dec.is_ok()) << dec.status().to_string();
  EXPECT_EQ(dec->header.node_id, "n-1");
  EXPECT_EQ(dec->header.queue_id, h.queue_id);
  EXPECT_EQ(dec->header.floor_seq, 7u);
  EXPECT_EQ(dec->header.dropped.records[0], 4u);
  EXPECT_EQ(dec->header.dropped.bytes[0], 512u);
  ASSERT_EQ(dec->records.size(), 2u);
  EXPECT_EQ(dec->records[0].seq, 7u);
  EXPECT_EQ(dec->records[0].priority, Priority::kHigh);
  EXPECT_EQ(dec->records[0].body, "{\"to\":\"2\"}");
  EXPECT_EQ(dec->records[1].body, "\"not json\"");  // travels as a JSON string
}

TEST(TelemetryBatch, RefusesWhatIsNotABatchNamingTheField) {
  EXPECT_FALSE(decode_batch("plain text").is_ok());
  auto z = zstd_compress("{\"format\":\"fogline-telemetry\",\"version\":1,\"node_id\":\"n\"}", 3);
  auto r = decode_batch(*z);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("queue_id"), std::string::npos) << r.status().message();
  z = zstd_compress("{\"format\":\"fogline-telemetry\",\"version\":2}", 3);
  r = decode_batch(*z);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("version 2"), std::string::npos);
  auto big = zstd_compress(std::string(10000, ' '), 3);
  EXPECT_FALSE(decode_batch(*big, 1000).is_ok());
}

TEST(TelemetrySequenceWindow, CountsEachSequenceOnce) {
  SequenceWindow w;
  EXPECT_TRUE(w.accept("q1", 1));
  EXPECT_TRUE(w.accept("q1", 3));
  EXPECT_FALSE(w.accept("q1", 1));  // resent
  EXPECT_TRUE(w.accept("q1", 2));
  w.advance("q1", 3);               // the node removed 1 and 2
  EXPECT_EQ(w.tracked(), 1u);
  EXPECT_FALSE(w.accept("q1", 2));  // below the floor: a late duplicate
  EXPECT_FALSE(w.accept("q1", 3));
  w.advance("q1", 2);               // an older batch's floor never moves it back
  EXPECT_EQ(w.floor(), 3u);
  EXPECT_TRUE(w.accept("q2", 1));   // a new queue (wiped data dir) is a new sequence space
}

// The hub's half as a test server: decodes, de-duplicates, and (when told to) loses the reply
// of a batch it did process — the case that makes at-least-once necessary.
struct FakeHub {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  SequenceWindow window;
  uint64_t counted = 0, duplicates = 0, batches = 0;
  DropCounts dropped;
  std::atomic<int> fail_after_processing{0};

  FakeHub() {
    server.Post("/api/nodes/self/telemetry", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Content-Encoding") != "zstd") {
        res.status = 415;
        return;
      }
      auto b = decode_batch(req.body);
      if (!b.is_ok()) {
        res.status = 400;
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        ++batches;
        window.advance(b->header.queue_id, b->header.floor_seq);
        for (const auto& r : b->records) (window.accept(b->header.queue_id, r.seq) ? counted : duplicates)++;
        for (int p = 0; p < kPriorityCount; ++p)
          dropped.records[p] = std::max(dropped.records[p], b->header.dropped.records[p]);
      }
      if (fail_after_processing > 0) {
        --fail_after_processing;
        res.status = 503;
        return;
      }
      res.set_content("{}", "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeHub() {
    server.stop();
    thread.join();
  }
};

class NoWaitClock final : public Clock {
 public:
  int64_t now_ns() override { return now; }
  void sleep_ns(int64_t ns) override { now += ns; }
  int64_t now = 0;
};

TEST(TelemetrySender, LostRepliesAndADownHubStillGiveExactCounts) {
  TempDir dir;
  QueueOptions qo;
  qo.sync_every_append = false;
  auto q = TelemetryQueue::open(dir.file("q"), qo);
  ASSERT_TRUE(q.is_ok());
  for (int i = 0; i < 120; ++i)
    ASSERT_TRUE((*q)->append(i % 10 == 0 ? Priority::kHigh : Priority::kNormal, "model",
                             "{\"i\":" + std::to_string(i) + "}", i).is_ok());
  FakeHub hub;
  NoWaitClock clock;
  TokenBucket budget(2000, 1000, clock);
  LinkStats link;
  SenderOptions so;
  so.max_records = 25;

  // The hub is down first: a closed port is a network failure; nothing is removed.
  int dead_port = 0;
  {
    // A port bound and released without listening: connecting to it is refused at once.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    dead_port = ntohs(addr.sin_port);
    close(fd);
  }
  TelemetrySender offline(**q, budget, link, "node-a", http_transport("127.0.0.1", dead_port, "/api/nodes/self/telemetry", 2), so);
  auto o = offline.send_once();
  ASSERT_TRUE(o.is_ok());
  EXPECT_FALSE(o->acknowledged);
  EXPECT_EQ((*q)->size(), 120u);
  EXPECT_EQ(link.recent_failures_look_like(), "network");

  TelemetrySender sender(**q, budget, link, "node-a", http_transport("127.0.0.1", hub.port, "/api/nodes/self/telemetry", 5), so);
  hub.fail_after_processing = 2;  // two batches arrive but their replies say 503
  int rounds = 0;
  while ((*q)->size() > 0 && rounds++ < 50) {
    auto r = sender.send_once();
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  }
  EXPECT_EQ((*q)->size(), 0u);
  std::lock_guard<std::mutex> lock(hub.mu);
  EXPECT_EQ(hub.counted, 120u);      // exactly once
  EXPECT_EQ(hub.duplicates, 50u);    // the two resent batches of 25
  EXPECT_EQ(hub.batches, 7u);        // 120 / 25 = 5 batches, plus 2 resends
  EXPECT_GT(clock.now, 0);           // the budget made the sender wait
  auto lj = link.to_json();
  EXPECT_EQ(lj["failed_attempts"], 3);
  EXPECT_EQ(lj["consecutive_failures"], 0);
  EXPECT_EQ(lj["recent_failures"], nlohmann::json({"network", "hub", "hub"}));
  EXPECT_GT(lj["last_contact_ms"].get<int64_t>(), 0);
  EXPECT_GT(lj["bytes_up"].get<uint64_t>(), 0u);
}

TEST(TelemetrySender, DropCountersReachTheHubEvenWithNothingElseQueued) {
  TempDir dir;
  QueueOptions qo;
  qo.max_bytes = 4096;
  qo.sync_every_append = false;
  auto q = TelemetryQueue::open(dir.file("q"), qo);
  ASSERT_TRUE(q.is_ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE((*q)->append(Priority::kLow, "sample", std::string(50, '7'), i).is_ok());
  uint64_t dropped_low = (*q)->dropped().records[0];
  ASSERT_GT(dropped_low, 0u);
  FakeHub hub;
  NoWaitClock clock;
  TokenBucket budget(1e9, 1e9, clock);
  LinkStats link;
  TelemetrySender sender(**q, budget, link, "node-b", http_transport("127.0.0.1", hub.port, "/api/nodes/self/telemetry"));
  while ((*q)->size() > 0) ASSERT_TRUE(sender.send_once().is_ok());
  auto again = sender.send_once();  // nothing queued and counters already reported: no batch
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->records, 0u);
  std::lock_guard<std::mutex> lock(hub.mu);
  EXPECT_EQ(hub.dropped.records[0], dropped_low);
  EXPECT_EQ(hub.counted + dropped_low, 100u);
}

TEST(TelemetryLinkStats, ClassifiesFailures) {
  Attempt timeout;  // never connected
  Attempt five{true, 502};
  Attempt four{true, 401};
  Attempt local;
  local.local_error = true;
  EXPECT_EQ(classify_failure(timeout), FailureClass::kNetwork);
  EXPECT_EQ(classify_failure(five), FailureClass::kHub);
  EXPECT_EQ(classify_failure(four), FailureClass::kNode);
  EXPECT_EQ(classify_failure(local), FailureClass::kNode);
  LinkStats s;
  s.record(five);
  s.record(timeout);
  s.record(timeout);
  EXPECT_EQ(s.recent_failures_look_like(), "network");
  EXPECT_EQ(s.consecutive_failures(), 3u);
  Attempt ok{true, 200, false, 0.5, 1000, 24, 77};
  s.record(ok);
  EXPECT_EQ(s.consecutive_failures(), 0u);
  EXPECT_EQ(s.last_contact_ms(), 77);
  EXPECT_NEAR(s.to_json()["bandwidth_bytes_per_second"].get<double>(), 2048.0, 1e-9);
}

TEST(TelemetryHealth, ReadsProcSysAndStatvfsFromAWrittenTree) {
  TempDir dir;
  namespace fs = std::filesystem;
  std::string root = dir.file("root");
  fs::create_directories(root + "/proc");
  fs::create_directories(root + "/sys/class/thermal/thermal_zone0");
  fs::create_directories(root + "/sys/class/hwmon/hwmon1");
  auto write = [](const std::string& path, const std::string& text) { std::ofstream(path) << text; };
  write(root + "/proc/stat", "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3\n");
  write(root + "/proc/meminfo", "MemTotal:       2048 kB\nMemFree:  10 kB\nMemAvailable:   1024 kB\n");
  write(root + "/proc/uptime", "3600.50 7000.00\n");
  write(root + "/sys/class/thermal/thermal_zone0/temp", "48500\n");
  write(root + "/sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
  write(root + "/sys/class/hwmon/hwmon1/name", "nvme\n");
  write(root + "/sys/class/hwmon/hwmon1/temp1_input", "39000\n");
  HealthCollector c(dir.path(), {{"fogline", "0.1.0"}}, root);
  auto s1 = c.collect();
  ASSERT_TRUE(s1.is_ok()) << s1.status().to_string();
  EXPECT_FALSE(s1->cpu_percent.has_value());  // one reading is not a rate
  EXPECT_EQ(s1->mem_total_bytes, 2048u * 1024);
  EXPECT_EQ(s1->mem_available_bytes, 1024u * 1024);
  EXPECT_DOUBLE_EQ(s1->uptime_seconds, 3600.5);
  EXPECT_DOUBLE_EQ(s1->temperatures_c.at("cpu-thermal/thermal_zone0"), 48.5);
  EXPECT_DOUBLE_EQ(s1->temperatures_c.at("nvme/temp1"), 39.0);
  EXPECT_GT(s1->disk_total_bytes, 0u);
  // 1000 more jiffies of which 250 idle+iowait: 75 % busy.
  write(root + "/proc/stat", "cpu  750 0 200 900 150 0 0 0 0 0\n");
  auto s2 = c.collect();
  ASSERT_TRUE(s2.is_ok());
  ASSERT_TRUE(s2->cpu_percent.has_value());
  EXPECT_NEAR(*s2->cpu_percent, 75.0, 1e-9);
  EXPECT_EQ(s2->to_json()["versions"]["fogline"], "0.1.0");
}

TEST(TelemetryHealth, RealMachineHasProc) {
  if (!std::filesystem::exists("/proc/stat")) GTEST_SKIP() << "no /proc on this system";
  HealthCollector c("/", {});
  auto s = c.collect();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_GT(s->mem_total_bytes, 0u);
  EXPECT_GT(s->uptime_seconds, 0.0);
}

}  // namespace
}  // namespace fogline::telemetry
