#include "node/telemetry/record.h"

namespace fogline::telemetry {

const char* priority_name(Priority p) {
  switch (p) {
    case Priority::kLow: return "low";
    case Priority::kNormal: return "normal";
    case Priority::kHigh: return "high";
  }
  return "?";
}

std::optional<Priority> parse_priority(std::string_view name) {
  if (name == "low") return Priority::kLow;
  if (name == "normal") return Priority::kNormal;
  if (name == "high") return Priority::kHigh;
  return std::nullopt;
}

bool DropCounts::any() const {
  for (int i = 0; i < kPriorityCount; ++i)
    if (records[i] != 0) return true;
  return torn_bytes != 0;
}

}  // namespace fogline::telemetry
