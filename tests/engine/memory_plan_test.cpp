#include "engine/memory_plan.h"

#include <gtest/gtest.h>

namespace fogline::engine {
namespace {

TEST(MemoryPlan, ReusesBuffersWhoseLifetimesDoNotOverlap) {
  // A chain a -> b -> c -> d: each value dies when the next is made, so two slots suffice.
  std::vector<BufferRequest> reqs = {{0, 1000, 0, 1}, {1, 1000, 1, 2}, {2, 1000, 2, 3}, {3, 1000, 3, 4}};
  MemoryPlan plan = plan_memory(reqs, 4);
  EXPECT_EQ(plan.naive_bytes, 4 * 1024u);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024u);
  for (size_t i = 0; i + 1 < 4; ++i) EXPECT_NE(plan.offset[i], plan.offset[i + 1]);
}

TEST(MemoryPlan, OverlappingLifetimesNeverShareBytes) {
  std::vector<BufferRequest> reqs = {{0, 64, 0, 5}, {1, 640, 1, 2}, {2, 128, 2, 6}, {3, 6400, 3, 4}, {4, 64, 4, 6}};
  MemoryPlan plan = plan_memory(reqs, 5);
  for (const auto& a : reqs) {
    for (const auto& b : reqs) {
      if (a.value_id >= b.value_id) continue;
      bool live_together = a.first <= b.last && b.first <= a.last;
      if (!live_together) continue;
      uint64_t a0 = plan.offset[a.value_id], a1 = a0 + plan.size[a.value_id];
      uint64_t b0 = plan.offset[b.value_id], b1 = b0 + plan.size[b.value_id];
      EXPECT_TRUE(a1 <= b0 || b1 <= a0) << a.value_id << " and " << b.value_id << " overlap";
    }
  }
  EXPECT_LE(plan.arena_bytes, plan.naive_bytes);
}

}  // namespace
}  // namespace fogline::engine
