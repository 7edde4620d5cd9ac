// The telemetry queue: durability across kill -9, torn tails, the drop order and its counts,
// acknowledgement and sequence numbers across reopen.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "node/telemetry/telemetry_queue.h"
#include "node_fixtures.h"

namespace fogline::telemetry {
namespace {

using node::testing::TempDir;
namespace fs = std::filesystem;

std::string body_for(uint64_t i) { return "{\"i\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 37, 'x') + "\"}"; }

std::vector<Record> peek_all(TelemetryQueue& q) {
  auto b = q.peek(1u << 30, 1ull << 40);
  EXPECT_TRUE(b.is_ok()) << b.status().to_string();
  return b.is_ok() ? b->records : std::vector<Record>{};
}

TEST(TelemetryQueue, AppendPeekAckAndSequencesSurviveReopen) {
  TempDir dir;
  std::string qdir = dir.file("q");
  std::string id;
  {
    auto q = TelemetryQueue::open(qdir);
    ASSERT_TRUE(q.is_ok()) << q.status().to_string();
    id = (*q)->queue_id();
    EXPECT_EQ(id.size(), 16u);
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE((*q)->append(Priority::kNormal, "model", body_for(i), 1000 + i).is_ok());
    ASSERT_TRUE((*q)->append(Priority::kHigh, "event.model_activated", "{\"v\":\"2\"}", 2000).is_ok());
    auto b = (*q)->peek(3, 1 << 20);
    ASSERT_TRUE(b.is_ok());
    ASSERT_EQ(b->records.size(), 3u);
    // The event goes first although it was appended last.
    EXPECT_EQ(b->records[0].kind, "event.model_activated");
    EXPECT_EQ(b->records[0].seq, 6u);
    EXPECT_EQ(b->records[1].seq, 1u);
    EXPECT_EQ(b->records[2].seq, 2u);
    EXPECT_EQ(b->records[1].body, body_for(0));
    EXPECT_EQ(b->records[1].time_ms, 1000);
    EXPECT_EQ(b->ack.up_to[static_cast<int>(Priority::kHigh)], 6u);
    EXPECT_EQ(b->ack.up_to[static_cast<int>(Priority::kNormal)], 2u);
    ASSERT_TRUE((*q)->ack(b->ack).is_ok());
    EXPECT_EQ((*q)->size(), 3u);
    EXPECT_EQ((*q)->floor_seq(), 3u);
  }
  {
    auto q = TelemetryQueue::open(qdir);
    ASSERT_TRUE(q.is_ok()) << q.status().to_string();
    EXPECT_EQ((*q)->queue_id(), id);
    auto all = peek_all(**q);
    ASSERT_EQ(all.size(), 3u);  // acknowledged records stay removed
    EXPECT_EQ(all[0].seq, 3u);
    PendingBatch b;
    b.ack.up_to[static_cast<int>(Priority::kNormal)] = 5;
    ASSERT_TRUE((*q)->ack(b.ack).is_ok());
    EXPECT_EQ((*q)->size(), 0u);
  }
  {
    // Everything was acknowledged: sequence numbers still continue, never reused.
    auto q = TelemetryQueue::open(qdir);
    ASSERT_TRUE(q.is_ok());
    auto r = (*q)->append(Priority::kLow, "sample", "{}", 1);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->seq, 7u);
  }
}

TEST(TelemetryQueue, TornTailIsTruncatedNotMisread) {
  TempDir dir;
  std::string qdir = dir.file("q");
  {
    auto q = TelemetryQueue::open(qdir);
    ASSERT_TRUE(q.is_ok());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*q)->append(Priority::kNormal, "m", body_for(i), i).is_ok());
  }
  std::string seg;
  for (const auto& e : fs::directory_iterator(qdir + "/normal")) seg = e.path().string();
  uint64_t whole = fs::file_size(seg);
  {
    // A crash mid-append: a frame header promising 200 bytes, then only part of them; and
    // the zero-filled blocks some file systems leave after a power cut.
    std::ofstream out(seg, std::ios::binary | std::ios::app);
    const char header[8] = {static_cast<char>(200), 0, 0, 0, 1, 2, 3, 4};
    out.write(header, 8);
    out << "{\"half\":";
    out << std::string(64, '\0');
  }
  auto q = TelemetryQueue::open(qdir);
  ASSERT_TRUE(q.is_ok()) << q.status().to_string();
  EXPECT_EQ(fs::file_size(seg), whole);
  auto all = peek_all(**q);
  ASSERT_EQ(all.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(all[i].body, body_for(i));
  EXPECT_EQ((*q)->dropped().torn_bytes, 8u + 8u + 64u);
  // Appends continue after the last whole record.
  auto r = (*q)->append(Priority::kNormal, "m", body_for(4), 4);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->seq, 5u);
  q->reset();
  auto again = TelemetryQueue::open(qdir);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(peek_all(**again).size(), 5u);
}

TEST(TelemetryQueue, DamagedFrameInTheMiddleIsCutThere) {
  TempDir dir;
  std::string qdir = dir.file("q");
  {
    auto q = TelemetryQueue::open(qdir);
    ASSERT_TRUE(q.is_ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*q)->append(Priority::kHigh, "e", body_for(i), i).is_ok());
  }
  std::string seg;
  for (const auto& e : fs::directory_iterator(qdir + "/high")) seg = e.path().string();
  uint64_t size = fs::file_size(seg);
  {
    std::fstream f(seg, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(size - 3));  // a flipped byte in the last record's body
    f.put('#');
  }
  auto q = TelemetryQueue::open(qdir);
  ASSERT_TRUE(q.is_ok());
  auto all = peek_all(**q);
  ASSERT_EQ(all.size(), 2u);  // the damaged record is never read as data
  EXPECT_GT((*q)->dropped().torn_bytes, 0u);
}

// A child appends in a loop and reports every sequence number append() returned through a
// pipe; the parent kills it with SIGKILL mid-stream. Every reported record must be there.
TEST(TelemetryQueue, EveryAppendedRecordSurvivesKill9) {
  TempDir dir;
  std::string qdir = dir.file("q");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    QueueOptions opt;
    opt.segment_bytes = 4096;  // several segments, so rolling is covered too
    auto q = TelemetryQueue::open(qdir, opt);
    if (!q.is_ok()) _exit(2);
    for (uint64_t i = 0;; ++i) {
      auto p = static_cast<Priority>(i % 3);
      auto r = (*q)->append(p, "k", body_for(i), static_cast<int64_t>(i));
      if (!r.is_ok() || !r->stored) _exit(3);
      uint64_t msg[2] = {r->seq, i};
      if (write(fds[1], msg, sizeof msg) != sizeof msg) _exit(4);
    }
  }
  close(fds[1]);
  std::map<uint64_t, uint64_t> acknowledged;  // seq -> i
  uint64_t msg[2];
  while (acknowledged.size() < 400 && read(fds[0], msg, sizeof msg) == sizeof msg)
    acknowledged[msg[0]] = msg[1];
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  ASSERT_EQ(acknowledged.size(), 400u);

  auto q = TelemetryQueue::open(qdir);
  ASSERT_TRUE(q.is_ok()) << q.status().to_string();
  std::map<uint64_t, Record> found;
  for (auto& r : peek_all(**q)) found[r.seq] = r;
  for (const auto& [seq, i] : acknowledged) {
    auto it = found.find(seq);
    ASSERT_NE(it, found.end()) << "record " << seq << " acknowledged by append() is missing";
    EXPECT_EQ(it->second.body, body_for(i));
    EXPECT_EQ(it->second.priority, static_cast<Priority>(i % 3));
  }
  // New appends get sequence numbers above anything the killed process handed out.
  auto r = (*q)->append(Priority::kHigh, "k", "{}", 0);
  ASSERT_TRUE(r.is_ok());
  EXPECT_GT(r->seq, found.rbegin()->first);
}

TEST(TelemetryQueue, BoundDropsOldestLowThenNormalThenHighAndCountsIt) {
  TempDir dir;
  QueueOptions opt;
  opt.max_bytes = 8192;
  opt.segment_bytes = 1024;
  opt.sync_every_append = false;
  auto qr = TelemetryQueue::open(dir.file("q"), opt);
  ASSERT_TRUE(qr.is_ok());
  TelemetryQueue& q = **qr;
  const std::string body(100, 'b');  // 8 + 19 + 1 + 100 = 128 bytes a frame: 64 fit
  std::map<Priority, std::vector<uint64_t>> appended;
  std::map<Priority, uint64_t> refused;
  auto add = [&](Priority p) {
    auto r = q.append(p, "k", "\"" + body.substr(2) + "\"", 0);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    if (r->stored)
      appended[p].push_back(r->seq);
    else
      ++refused[p];
  };
  for (int i = 0; i < 20; ++i) add(Priority::kHigh);
  for (int i = 0; i < 20; ++i) add(Priority::kNormal);
  for (int i = 0; i < 24; ++i) add(Priority::kLow);
  EXPECT_EQ(q.live_bytes(), 8192u);
  EXPECT_FALSE(q.dropped().any());

  // Normal data arriving: low goes first, oldest first.
  for (int i = 0; i < 10; ++i) add(Priority::kNormal);
  EXPECT_LE(q.live_bytes(), 8192u);
  EXPECT_EQ(q.size(Priority::kHigh), 20u);
  EXPECT_EQ(q.size(Priority::kNormal), 30u);
  DropCounts d = q.dropped();
  EXPECT_EQ(d.records[static_cast<int>(Priority::kNormal)], 0u);
  EXPECT_EQ(d.records[static_cast<int>(Priority::kLow)], 24u - q.size(Priority::kLow));
  auto lows = peek_all(q);
  std::vector<uint64_t> live_low;
  for (auto& r : lows)
    if (r.priority == Priority::kLow) live_low.push_back(r.seq);
  // The survivors are the newest lows.
  std::vector<uint64_t> newest(appended[Priority::kLow].end() - live_low.size(), appended[Priority::kLow].end());
  EXPECT_EQ(live_low, newest);

  // A low sample cannot push out normal or high data: when no low is left it is itself dropped.
  for (int i = 0; i < 40; ++i) add(Priority::kNormal);
  EXPECT_EQ(q.size(Priority::kLow), 0u);
  EXPECT_EQ(q.size(Priority::kHigh), 20u);
  add(Priority::kLow);
  EXPECT_EQ(refused[Priority::kLow], 1u);

  // High events push out normal data before any older event.
  for (int i = 0; i < 60; ++i) add(Priority::kHigh);
  EXPECT_EQ(q.size(Priority::kNormal), 0u);
  d = q.dropped();
  EXPECT_GT(d.records[static_cast<int>(Priority::kHigh)], 0u);
  // Nothing is silently lost: appended = live + dropped, per priority.
  for (Priority p : {Priority::kLow, Priority::kNormal, Priority::kHigh}) {
    uint64_t total = appended[p].size() + refused[p];
    EXPECT_EQ(total, q.size(p) + d.records[static_cast<int>(p)]) << priority_name(p);
    EXPECT_EQ(d.bytes[static_cast<int>(p)], d.records[static_cast<int>(p)] * 128u) << priority_name(p);
  }
  // The live highs are the newest ones, and the counters survive a reopen.
  auto all = peek_all(q);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().seq, appended[Priority::kHigh].back());
  qr = Result<std::unique_ptr<TelemetryQueue>>(internal_error("closed"));
  auto again = TelemetryQueue::open(dir.file("q"), opt);
  ASSERT_TRUE(again.is_ok());
  DropCounts after = (*again)->dropped();
  EXPECT_EQ(after.records, d.records);
  EXPECT_EQ((*again)->size(), all.size());
  // Disk stays near the bound: the live bytes plus at most a few dead segment prefixes.
  uint64_t disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.file("q")))
    if (e.is_regular_file() && e.path().extension() == ".seg") disk += e.file_size();
  EXPECT_LE(disk, 8192u + 3 * 1024u);
}

TEST(TelemetryQueue, AckOfRecordsDroppedMeanwhileIsHarmless) {
  TempDir dir;
  QueueOptions opt;
  opt.max_bytes = 4096;
  opt.sync_every_append = false;
  auto q = TelemetryQueue::open(dir.file("q"), opt);
  ASSERT_TRUE(q.is_ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*q)->append(Priority::kLow, "s", body_for(i), 0).is_ok());
  auto b = (*q)->peek(5, 1 << 20);
  ASSERT_TRUE(b.is_ok());
  // The bound is hit while the batch is in flight: its records are dropped.
  for (int i = 0; i < 60; ++i) ASSERT_TRUE((*q)->append(Priority::kLow, "s", std::string(40, '1'), 0).is_ok());
  size_t before = (*q)->size();
  ASSERT_TRUE((*q)->ack(b->ack).is_ok());
  EXPECT_EQ((*q)->size(), before);
}

TEST(TelemetryQueue, RefusesARecordLargerThanAQuarterOfTheBound) {
  TempDir dir;
  QueueOptions opt;
  opt.max_bytes = 4096;
  auto q = TelemetryQueue::open(dir.file("q"), opt);
  ASSERT_TRUE(q.is_ok());
  auto r = (*q)->append(Priority::kHigh, "big", std::string(2000, 'x'), 0);
  EXPECT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("big"), std::string::npos);
}

}  // namespace
}  // namespace fogline::telemetry
