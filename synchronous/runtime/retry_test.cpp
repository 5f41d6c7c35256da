// BackoffDelay: exponential growth from the base, capped, with "equal jitter" in [d/2, d].
#include "synchronous/runtime/retry.hpp"

#include <gtest/gtest.h>

#include <set>

namespace flowbench::sync {
namespace {

using std::chrono::milliseconds;

TEST(BackoffDelay, DoublesPerRetryWithinTheJitterBand) {
  RetrySettings settings{5, milliseconds(100), milliseconds(10'000)};
  std::mt19937_64 random(42);
  for (int retry = 1; retry <= 5; ++retry) {
    const std::int64_t ceiling = 100LL << (retry - 1);
    for (int i = 0; i < 200; ++i) {
      std::int64_t d = BackoffDelay(settings, retry, random).count();
      EXPECT_GE(d, ceiling / 2) << "retry " << retry;
      EXPECT_LE(d, ceiling) << "retry " << retry;
    }
  }
}

TEST(BackoffDelay, IsCappedAtTheMaximum) {
  RetrySettings settings{50, milliseconds(100), milliseconds(300)};
  std::mt19937_64 random(7);
  for (int retry : {3, 10, 40, 1000}) {
    std::int64_t d = BackoffDelay(settings, retry, random).count();
    EXPECT_GE(d, 150);
    EXPECT_LE(d, 300);
  }
}

TEST(BackoffDelay, JittersSoThatSimultaneousCallersSpreadOut) {
  RetrySettings settings{3, milliseconds(1000), milliseconds(1000)};
  std::mt19937_64 random(1);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 50; ++i) seen.insert(BackoffDelay(settings, 1, random).count());
  EXPECT_GT(seen.size(), 20u);
}

TEST(BackoffDelay, ZeroBaseMeansRetryAtOnce) {
  RetrySettings settings{3, milliseconds(0), milliseconds(1000)};
  std::mt19937_64 random(3);
  EXPECT_EQ(BackoffDelay(settings, 2, random).count(), 0);
}

}  // namespace
}  // namespace flowbench::sync
