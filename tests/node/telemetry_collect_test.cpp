// A collection round lands in the queue as the batch format describes, and survives a reopen.
#include <gtest/gtest.h>

#include "node/telemetry/batch.h"
#include "node/telemetry/collect.h"
#include "node_fixtures.h"

namespace fogline::telemetry {
namespace {

TEST(TelemetryCollect, RoundAppendsHealthLinkModelsAndEventsGoFirst) {
  node::testing::TempDir dir;
  std::string qdir = dir.file("q");
  {
    auto q = TelemetryQueue::open(qdir);
    ASSERT_TRUE(q.is_ok());
    HealthCollector health(dir.path(), {{"fogline-node", "test"}}, dir.file("no-such-root"));
    LinkStats link;
    ModelMetrics a("a", "1"), b("b", "7");
    a.observe(0.01, false, 0.9);
    b.observe(0.02, true);
    // No /proc under the fake root: the failure becomes an event, the round goes on.
    ASSERT_TRUE(collect_round(**q, &health, link, {&a, &b}, 5.0, 1000).is_ok());
    ASSERT_TRUE(record_event(**q, "event.model_activated", {{"model", "a"}, {"version", "1"}}, 1001).is_ok());
  }
  auto q = TelemetryQueue::open(qdir);
  ASSERT_TRUE(q.is_ok());
  auto batch = (*q)->peek(100, 1 << 20);
  ASSERT_TRUE(batch.is_ok());
  ASSERT_EQ(batch->records.size(), 5u);
  EXPECT_EQ(batch->records[0].kind, "event.error");
  EXPECT_EQ(batch->records[1].kind, "event.model_activated");
  EXPECT_EQ(batch->records[2].kind, "link");
  EXPECT_EQ(batch->records[3].kind, "model");
  EXPECT_EQ(batch->records[4].kind, "model");
  auto j = batch_json({"n", (*q)->queue_id(), (*q)->floor_seq(), 0, {}}, batch->records);
  EXPECT_EQ(j["records"][1]["body"]["version"], "1");
  EXPECT_EQ(j["records"][4]["body"]["model"], "b");
  EXPECT_EQ(j["records"][4]["body"]["errors"], 1);
  EXPECT_NE(j["records"][0]["body"]["error"].get<std::string>().find("proc"), std::string::npos);
}

}  // namespace
}  // namespace fogline::telemetry
