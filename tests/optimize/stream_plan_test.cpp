#include "optimize/stream_plan.h"

#include <gtest/gtest.h>

namespace fogline::optimize {
namespace {

TEST(StreamPlan, ComputeBound) {
  // 8 cores, 1 thread per instance, 20 ms: 8 instances x 50 = 400 inferences/s -> 26 streams at 15 fps.
  PlanRow r = plan_row({1, 20.0, 100.0, 10.0}, 8, 4096, 15);
  EXPECT_EQ(r.instances_by_cores, 8);
  EXPECT_EQ(r.instances, 8);
  EXPECT_DOUBLE_EQ(r.capacity_fps, 400.0);
  EXPECT_EQ(r.streams, 26);
  EXPECT_DOUBLE_EQ(r.memory_mb, 100.0 + 7 * 10.0);
  EXPECT_FALSE(r.lags);
}

TEST(StreamPlan, MemoryBound) {
  // 300 MB budget, 100 MB for the first instance and 60 MB per extra: 1 + floor(200/60) = 4.
  PlanRow r = plan_row({1, 10.0, 100.0, 60.0}, 8, 300, 30);
  EXPECT_EQ(r.instances_by_memory, 4);
  EXPECT_EQ(r.instances, 4);
  EXPECT_EQ(r.streams, 13);  // 400 / 30
  EXPECT_DOUBLE_EQ(r.memory_mb, 280.0);
  // A model that does not fit at all runs nothing.
  PlanRow none = plan_row({1, 10.0, 500.0, 60.0}, 8, 300, 30);
  EXPECT_EQ(none.instances, 0);
  EXPECT_EQ(none.streams, 0);
}

TEST(StreamPlan, ExactMultipleAndLag) {
  // 2 cores, 2 threads, 50 ms: one instance at 20 inferences/s = exactly 4 streams at 5 fps.
  PlanRow r = plan_row({2, 50.0, 50.0, 5.0}, 2, 1024, 5);
  EXPECT_EQ(r.streams, 4);
  EXPECT_FALSE(r.lags);
  // 100 ms per frame at 15 fps: capacity 20/s (2 instances), one stream, each frame late.
  PlanRow slow = plan_row({1, 100.0, 50.0, 5.0}, 2, 1024, 15);
  EXPECT_EQ(slow.streams, 1);
  EXPECT_TRUE(slow.lags);
}

TEST(StreamPlan, BestRowHasTheMostStreams) {
  // One 4-thread instance at 6 ms (166/s) vs four 1-thread ones at 20 ms (200/s).
  size_t best = 9;
  auto rows = plan_streams({{1, 20.0, 80, 8}, {2, 11.0, 80, 8}, {4, 6.0, 80, 8}}, 4, 4096, 15, &best);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].streams, 13);
  EXPECT_EQ(rows[1].streams, 12);  // 2 x 90.9 = 181.8 / 15
  EXPECT_EQ(rows[2].streams, 11);
  EXPECT_EQ(best, 0u);
}

}  // namespace
}  // namespace fogline::optimize
