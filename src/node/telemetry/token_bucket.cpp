#include "node/telemetry/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace fogline::telemetry {

TokenBucket::TokenBucket(double bytes_per_second, double burst_bytes, Clock& clock)
    : rate_(std::max(bytes_per_second, 1.0)),
      burst_(std::max(burst_bytes, 1.0)),
      tokens_(burst_),
      last_ns_(clock.now_ns()),
      clock_(clock) {}

void TokenBucket::refill() {
  int64_t now = clock_.now_ns();
  if (now > last_ns_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now - last_ns_) * 1e-9);
    last_ns_ = now;
  }
}

double TokenBucket::available() {
  refill();
  return tokens_;
}

int64_t TokenBucket::wait_ns(uint64_t bytes) {
  refill();
  double need = std::min(static_cast<double>(bytes), burst_);
  if (tokens_ >= need) return 0;
  return static_cast<int64_t>(std::ceil((need - tokens_) / rate_ * 1e9));
}

bool TokenBucket::try_consume(uint64_t bytes) {
  if (wait_ns(bytes) != 0) return false;
  tokens_ -= static_cast<double>(bytes);
  return true;
}

int64_t TokenBucket::consume(uint64_t bytes) {
  int64_t waited = 0;
  for (int64_t w = wait_ns(bytes); w > 0; w = wait_ns(bytes)) {
    clock_.sleep_ns(w);
    waited += w;
  }
  tokens_ -= static_cast<double>(bytes);
  return waited;
}

}  // namespace fogline::telemetry
