// Arrival schedules without a server: uniform offsets of constant and ramping rates (k6's
// arithmetic), and the seeded Poisson schedule: the same seed gives the same times (both
// builds are offered the same load), its count and gaps follow the Poisson process, and a
// ramp puts its arrivals where the rate is.
#include "bench/load/arrival_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace flowbench::load {
namespace {

using namespace std::chrono_literals;

double Ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

ArrivalRate Poisson(ArrivalRate rate, std::uint64_t seed) {
  rate.process = ArrivalProcess::kPoisson;
  rate.seed = seed;
  return rate;
}

std::vector<double> OffsetsMs(const ArrivalSchedule& schedule) {
  std::vector<double> offsets;
  for (std::uint64_t i = 0;; ++i) {
    std::optional<Duration> offset = schedule.OffsetOf(i);
    if (!offset) break;
    offsets.push_back(Ms(*offset));
  }
  return offsets;
}

TEST(ArrivalSchedule, ConstantAndRampingOffsets) {
  ArrivalSchedule constant(ConstantArrivalRate(100, 1s, 10));
  EXPECT_EQ(constant.OffsetOf(0), Duration{0});
  EXPECT_NEAR(Ms(*constant.OffsetOf(50)), 500, 1e-6);
  EXPECT_TRUE(constant.OffsetOf(99));
  EXPECT_FALSE(constant.OffsetOf(100));

  // 0 -> 100/s over 1 s, then 100/s for 1 s: 50 + 100 arrivals; N(t) = 50 t^2 on the ramp.
  ArrivalSchedule ramp(RampingArrivalRate(0, {{100, 1s}, {100, 1s}}, 10));
  EXPECT_DOUBLE_EQ(ramp.ExpectedIterations(), 150);
  EXPECT_NEAR(Ms(*ramp.OffsetOf(18)), 600, 1e-6);  // 50 * 0.6^2 = 18 arrivals by 0.6 s
  EXPECT_NEAR(Ms(*ramp.OffsetOf(100)), 1500, 1e-6);
  EXPECT_FALSE(ramp.OffsetOf(150));
}

TEST(ArrivalSchedule, UniformHoldsTheIntegralRoundedUp) {
  EXPECT_EQ(ArrivalSchedule(ConstantArrivalRate(100, 1s, 10)).ScheduledIterations(), 100u);
  EXPECT_EQ(ArrivalSchedule(ConstantArrivalRate(2.5, 1s, 10)).ScheduledIterations(), 3u);
  EXPECT_EQ(OffsetsMs(ArrivalSchedule(ConstantArrivalRate(2.5, 1s, 10))).size(), 3u);
}

// The measured window's offered load after a warm-up: the due times at or after its end,
// counted from the schedule itself (what a run reports as `scheduled`).
TEST(ArrivalSchedule, ScheduledFromCountsTheDueTimesAtOrAfterAnOffset) {
  ArrivalSchedule constant(ConstantArrivalRate(100, 1s, 10));  // due at 0, 10, ..., 990 ms
  EXPECT_EQ(constant.ScheduledFrom(Duration{0}), 100u);
  EXPECT_EQ(constant.ScheduledFrom(295ms), 70u);  // 300 ms onwards
  EXPECT_EQ(constant.ScheduledFrom(305ms), 69u);
  EXPECT_EQ(constant.ScheduledFrom(2s), 0u);
  ArrivalSchedule poisson(Poisson(ConstantArrivalRate(200, 5s, 10), 11));
  std::vector<double> offsets = OffsetsMs(poisson);
  auto from_1s = std::count_if(offsets.begin(), offsets.end(), [](double t) { return t >= 1000; });
  EXPECT_EQ(poisson.ScheduledFrom(1s), static_cast<std::uint64_t>(from_1s));
}

TEST(ArrivalSchedule, PoissonWithOneSeedIsOneScheduleAndAnotherSeedAnother) {
  ArrivalRate rate = ConstantArrivalRate(200, 10s, 10);
  std::vector<double> first = OffsetsMs(ArrivalSchedule(Poisson(rate, 7)));
  std::vector<double> again = OffsetsMs(ArrivalSchedule(Poisson(rate, 7)));
  std::vector<double> other = OffsetsMs(ArrivalSchedule(Poisson(rate, 8)));
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  EXPECT_EQ(ArrivalSchedule(Poisson(rate, 7)).ScheduledIterations(), first.size());
}

TEST(ArrivalSchedule, PoissonCountAndGapsFollowThePoissonProcess) {
  // 200/s for 50 s: 10,000 arrivals expected, standard deviation 100; gaps exponential with
  // mean 5 ms, so their standard deviation is 5 ms too (coefficient of variation 1; uniform
  // arrivals have 0).
  std::vector<double> offsets =
      OffsetsMs(ArrivalSchedule(Poisson(ConstantArrivalRate(200, 50s, 10), 42)));
  EXPECT_NEAR(static_cast<double>(offsets.size()), 10'000, 400);  // 4 standard deviations
  double sum = 0, squares = 0;
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    double gap = offsets[i] - offsets[i - 1];
    ASSERT_GE(gap, 0);
    sum += gap;
    squares += gap * gap;
  }
  double n = static_cast<double>(offsets.size() - 1);
  double mean = sum / n;
  double sd = std::sqrt(squares / n - mean * mean);
  EXPECT_NEAR(mean, 5.0, 0.2);
  EXPECT_NEAR(sd / mean, 1.0, 0.05);
  EXPECT_LT(offsets.back(), 50'000);
}

TEST(ArrivalSchedule, PoissonRampPutsArrivalsWhereTheRateIs) {
  // 0 -> 400/s over 10 s: N(t) = 20 t^2, so 500 arrivals by 5 s and 2,000 in all.
  std::vector<double> offsets =
      OffsetsMs(ArrivalSchedule(Poisson(RampingArrivalRate(0, {{400, 10s}}, 10), 3)));
  auto before_5s = std::count_if(offsets.begin(), offsets.end(), [](double t) { return t < 5000; });
  EXPECT_NEAR(static_cast<double>(offsets.size()), 2000, 4 * std::sqrt(2000.0));
  EXPECT_NEAR(static_cast<double>(before_5s), 500, 4 * std::sqrt(500.0));
}

}  // namespace
}  // namespace flowbench::load
