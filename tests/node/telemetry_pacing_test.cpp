// The bandwidth budget with an injected clock: no wall-clock timing in these assertions.
#include <gtest/gtest.h>

#include "node/telemetry/token_bucket.h"

namespace fogline::telemetry {
namespace {

class FakeClock final : public Clock {
 public:
  int64_t now_ns() override { return now; }
  void sleep_ns(int64_t ns) override {
    now += ns;
    slept += ns;
  }
  int64_t now = 1'000'000'000;
  int64_t slept = 0;
};

constexpr int64_t kSecond = 1'000'000'000;

TEST(TelemetryTokenBucket, BurstGoesAtOnceThenPacesAtTheRate) {
  FakeClock clock;
  TokenBucket bucket(/*bytes_per_second=*/1000, /*burst=*/500, clock);
  EXPECT_TRUE(bucket.try_consume(500));   // starts full
  EXPECT_FALSE(bucket.try_consume(1));    // spent
  EXPECT_EQ(bucket.wait_ns(250), kSecond / 4);
  // Ten 250-byte batches = 2500 bytes at 1000 B/s from an empty bucket: 2.5 s of waiting.
  for (int i = 0; i < 10; ++i) bucket.consume(250);
  EXPECT_NEAR(static_cast<double>(clock.slept), 2.5 * kSecond, 1e3);
}

TEST(TelemetryTokenBucket, RefillsWhileIdleButNotBeyondTheBurst) {
  FakeClock clock;
  TokenBucket bucket(100, 300, clock);
  bucket.consume(300);
  clock.now += 10 * kSecond;  // idle for 10 s: 1000 bytes of budget, capped at 300
  EXPECT_NEAR(bucket.available(), 300, 1e-6);
  EXPECT_EQ(bucket.consume(300), 0);
  EXPECT_GT(bucket.wait_ns(1), 0);
}

TEST(TelemetryTokenBucket, ABatchLargerThanTheBurstWaitsForAFullBucketThenOwesTheRest) {
  FakeClock clock;
  TokenBucket bucket(1000, 500, clock);
  bucket.consume(500);
  int64_t waited = bucket.consume(2000);  // waits 0.5 s for a full bucket, then 1500 bytes in debt
  EXPECT_NEAR(static_cast<double>(waited), 0.5 * kSecond, 1e3);
  EXPECT_NEAR(bucket.available(), -1500, 1e-3);
  // The debt is paid before the next byte: 1.5 s for the debt, plus 0.1 s for 100 bytes.
  EXPECT_NEAR(static_cast<double>(bucket.consume(100)), 1.6 * kSecond, 1e3);
}

}  // namespace
}  // namespace fogline::telemetry
