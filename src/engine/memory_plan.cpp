#include "engine/memory_plan.h"

#include <algorithm>

namespace fogline::engine {

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, size_t num_values) {
  constexpr uint64_t kAlign = 64;
  MemoryPlan plan;
  plan.offset.assign(num_values, MemoryPlan::kNotPlanned);
  plan.size.assign(num_values, 0);
  std::vector<BufferRequest> order = requests;
  std::stable_sort(order.begin(), order.end(),
                   [](const BufferRequest& a, const BufferRequest& b) { return a.bytes > b.bytes; });
  struct Placed {
    uint64_t begin, end;
    int first, last;
  };
  std::vector<Placed> placed;
  for (const BufferRequest& r : order) {
    uint64_t bytes = std::max<uint64_t>(kAlign, (r.bytes + kAlign - 1) / kAlign * kAlign);
    plan.naive_bytes += bytes;
    // Intervals of live buffers that overlap r's lifetime, by address.
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (const Placed& p : placed) {
      if (p.first <= r.last && r.first <= p.last) busy.emplace_back(p.begin, p.end);
    }
    std::sort(busy.begin(), busy.end());
    // Best fit: the smallest gap that holds the buffer, else the end.
    uint64_t best = MemoryPlan::kNotPlanned;
    uint64_t best_gap = ~uint64_t{0};
    uint64_t cursor = 0;
    for (const auto& [b, e] : busy) {
      if (b > cursor && b - cursor >= bytes && b - cursor < best_gap) {
        best = cursor;
        best_gap = b - cursor;
      }
      cursor = std::max(cursor, e);
    }
    if (best == MemoryPlan::kNotPlanned) best = cursor;
    placed.push_back({best, best + bytes, r.first, r.last});
    plan.offset[static_cast<size_t>(r.value_id)] = best;
    plan.size[static_cast<size_t>(r.value_id)] = bytes;
    plan.arena_bytes = std::max(plan.arena_bytes, best + bytes);
  }
  return plan;
}

}  // namespace fogline::engine
