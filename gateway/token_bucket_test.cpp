// The token bucket driven by a made-up clock: no test sleeps.
#include "gateway/token_bucket.hpp"

#include <gtest/gtest.h>

namespace flowbench::gateway {
namespace {

using namespace std::chrono_literals;

const SteadyTime kStart{std::chrono::hours(1)};

TEST(TokenBucket, ANewBucketAllowsItsBurstAtOnceThenRefuses) {
  TokenBucket bucket(10, 3, kStart);
  EXPECT_TRUE(bucket.Take(kStart).allowed);
  EXPECT_TRUE(bucket.Take(kStart).allowed);
  EXPECT_TRUE(bucket.Take(kStart).allowed);
  RateDecision refused = bucket.Take(kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 100ms);  // one token every 1/10 s
}

TEST(TokenBucket, TokensComeBackAtTheRate) {
  TokenBucket bucket(10, 1, kStart);
  EXPECT_TRUE(bucket.Take(kStart).allowed);
  EXPECT_FALSE(bucket.Take(kStart + 50ms).allowed);
  RateDecision half_way = bucket.Take(kStart + 50ms);
  EXPECT_EQ(half_way.retry_after, 50ms);
  EXPECT_TRUE(bucket.Take(kStart + 100ms).allowed);
  EXPECT_FALSE(bucket.Take(kStart + 100ms).allowed);
}

TEST(TokenBucket, NeverHoldsMoreThanItsBurst) {
  TokenBucket bucket(100, 2, kStart);
  SteadyTime later = kStart + 1h;
  EXPECT_DOUBLE_EQ(bucket.Tokens(later), 2);
  EXPECT_TRUE(bucket.Take(later).allowed);
  EXPECT_TRUE(bucket.Take(later).allowed);
  EXPECT_FALSE(bucket.Take(later).allowed);
}

TEST(TokenBucket, ARefusedRequestTakesNothing) {
  TokenBucket bucket(1, 1, kStart);
  EXPECT_TRUE(bucket.Take(kStart).allowed);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(bucket.Take(kStart + 500ms).allowed);
  EXPECT_TRUE(bucket.Take(kStart + 1s).allowed);  // the refusals did not push it back
}

TEST(RateLimiter, EachSubjectHasItsOwnBucket) {
  RateLimiter limiter(RateLimit{true, 1, 1});
  EXPECT_TRUE(limiter.Take("alice", kStart).allowed);
  EXPECT_FALSE(limiter.Take("alice", kStart).allowed);
  EXPECT_TRUE(limiter.Take("bob", kStart).allowed);
  EXPECT_EQ(limiter.Subjects(), 2U);
}

TEST(RateLimiter, OffAllowsEverything) {
  RateLimiter limiter(RateLimit{false, 0, 0});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.Take("alice", kStart).allowed);
  EXPECT_EQ(limiter.Subjects(), 0U);
}

TEST(RateLimiter, PastItsSubjectCapDropsOnlyFullBuckets) {
  RateLimiter limiter(RateLimit{true, 1, 2}, 2);
  limiter.Take("busy", kStart + 10s);
  limiter.Take("idle", kStart);
  // At +10 s "idle" is full again and "busy" is not: a third subject drops "idle" only.
  limiter.Take("new", kStart + 10s);
  EXPECT_EQ(limiter.Subjects(), 2U);
  EXPECT_TRUE(limiter.Take("busy", kStart + 10s).allowed);
  EXPECT_FALSE(limiter.Take("busy", kStart + 10s).allowed);  // its state was kept
}

TEST(ParseRateLimit, ReadsPerSecondPerMinuteAndOff) {
  std::optional<RateLimit> per_second = ParseRateLimit("100/s", 200);
  ASSERT_TRUE(per_second);
  EXPECT_TRUE(per_second->enabled);
  EXPECT_DOUBLE_EQ(per_second->per_second, 100);
  EXPECT_DOUBLE_EQ(per_second->burst, 200);
  std::optional<RateLimit> per_minute = ParseRateLimit("120/m", 5);
  ASSERT_TRUE(per_minute);
  EXPECT_DOUBLE_EQ(per_minute->per_second, 2);
  std::optional<RateLimit> off = ParseRateLimit("off", 200);
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->enabled);
}

TEST(ParseRateLimit, RefusesWhatItCannotRead) {
  for (const char* bad : {"100", "100/h", "/s", "-1/s", "0/s", "x/s", "100/s/s", "inf/s"}) {
    EXPECT_FALSE(ParseRateLimit(bad, 200)) << bad;
  }
  EXPECT_FALSE(ParseRateLimit("100/s", 0));  // a burst below one token lets nothing through
}

}  // namespace
}  // namespace flowbench::gateway
