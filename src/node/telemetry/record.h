// One telemetry record as the queue stores it and a batch carries it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fogline::telemetry {

// Which data goes first when the queue's byte bound is hit: low, then normal, then high.
enum class Priority : uint8_t {
  kLow = 0,     // verbose samples
  kNormal = 1,  // periodic metrics (health, link, model metrics)
  kHigh = 2,    // events: model activated / rolled back, errors
};
inline constexpr int kPriorityCount = 3;

const char* priority_name(Priority p);  // "low", "normal", "high"
std::optional<Priority> parse_priority(std::string_view name);

struct Record {
  uint64_t seq = 0;        // per queue, strictly increasing, never reused (see queue_id)
  Priority priority = Priority::kNormal;
  int64_t time_ms = 0;     // wall clock when appended
  std::string kind;        // "health", "link", "model", "event.model_activated", ...
  std::string body;        // JSON text
};

// Per priority, how much was dropped since the queue was created (never reset: the hub keeps
// the largest value it saw, so a report that arrives twice is not counted twice).
struct DropCounts {
  std::array<uint64_t, kPriorityCount> records{};
  std::array<uint64_t, kPriorityCount> bytes{};
  uint64_t torn_bytes = 0;  // bytes cut from a damaged segment when the queue was reopened
  bool any() const;
};

}  // namespace fogline::telemetry
