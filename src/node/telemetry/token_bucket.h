// The per-node bandwidth budget: a token bucket of bytes (rate per second, burst). The sender
// asks before every batch and waits while the budget is spent.
#pragma once

#include <cstdint>

#include "node/telemetry/clock.h"

namespace fogline::telemetry {

class TokenBucket {
 public:
  // Starts full (a node that was quiet may send `burst_bytes` at once).
  TokenBucket(double bytes_per_second, double burst_bytes, Clock& clock);

  // Nanoseconds until `bytes` may be sent (0 = now). A request larger than the burst waits
  // for a full bucket and then goes into debt, so oversize batches are paced, not refused.
  int64_t wait_ns(uint64_t bytes);
  // Takes the tokens if available now.
  bool try_consume(uint64_t bytes);
  // Sleeps on the clock until the tokens are there, then takes them; returns the time waited.
  int64_t consume(uint64_t bytes);

  double available();  // may be negative while in debt

 private:
  void refill();

  double rate_;
  double burst_;
  double tokens_;
  int64_t last_ns_;
  Clock& clock_;
};

}  // namespace fogline::telemetry
