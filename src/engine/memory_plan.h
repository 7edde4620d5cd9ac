// Static memory planning: given each intermediate tensor's size and lifetime (the node that
// writes it and the last node that reads it), place them in one arena so that tensors whose
// lifetimes overlap never share bytes. Greedy by size, the way TFLite's and ORT's planners work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fogline::engine {

struct BufferRequest {
  int value_id = -1;
  uint64_t bytes = 0;
  int first = 0;  // index of the producing node
  int last = 0;   // index of the last consuming node
};

struct MemoryPlan {
  static constexpr uint64_t kNotPlanned = ~uint64_t{0};
  std::vector<uint64_t> offset;  // per value id; kNotPlanned for values outside the arena
  std::vector<uint64_t> size;    // planned bytes per value id
  uint64_t arena_bytes = 0;      // the arena's total size
  uint64_t naive_bytes = 0;      // what one buffer per tensor would take
};

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests, size_t num_values);

}  // namespace fogline::engine
