// Time behind a small interface so pacing and staleness can be tested with an injected clock
// (no wall-clock assertions in tests).
#pragma once

#include <cstdint>

namespace fogline::telemetry {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic nanoseconds, for pacing.
  virtual int64_t now_ns() = 0;
  // Blocks (or, in tests, advances time) for `ns` nanoseconds.
  virtual void sleep_ns(int64_t ns) = 0;
};

// steady_clock and this_thread::sleep_for.
Clock& system_clock();

// Wall-clock milliseconds since the epoch, for record timestamps and "last contact".
int64_t unix_time_ms();

}  // namespace fogline::telemetry
