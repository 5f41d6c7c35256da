// Confidence intervals against textbook examples: the order-statistic interval of a median
// (n = 20: X(6) to X(15), coverage 95.86 %), Student's sleep data (R's `sleep`, paired and
// Welch), and the intervals a histogram gives for its percentiles.
#include "bench/stats/confidence.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace flowbench::stats {
namespace {

// Cushny and Peebles' extra hours of sleep under two drugs, as in Student (1908) and R.
const std::vector<double> kSleepGroup1 = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
const std::vector<double> kSleepGroup2 = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

TEST(QuantileRanks, MedianOfTwentyIsBoundedBySixthAndFifteenth) {
  std::optional<RankInterval> ranks = QuantileRanks(20, 0.5);
  ASSERT_TRUE(ranks);
  EXPECT_EQ(ranks->lower, 6u);
  EXPECT_EQ(ranks->upper, 15u);
  EXPECT_NEAR(ranks->coverage, 0.9586, 0.0001);
}

TEST(QuantileRanks, TooFewSamplesForAHighPercentileGiveNoInterval) {
  // 1 - 0.99^n >= 0.975 first holds at n = 368 (the upper rank must exist).
  EXPECT_FALSE(QuantileRanks(300, 0.99));
  std::optional<RankInterval> ranks = QuantileRanks(368, 0.99);
  ASSERT_TRUE(ranks);
  EXPECT_EQ(ranks->upper, 368u);
  EXPECT_GE(ranks->coverage, 0.95);
}

TEST(QuantileRanks, LargeSamplesAreCloseToTheNormalApproximationAndCoverAtLeastTheLevel) {
  // n = 1e6, q = 0.99: n q = 990000, sd = sqrt(n q (1 - q)) = 99.5, 1.96 sd = 195.
  std::optional<RankInterval> ranks = QuantileRanks(1'000'000, 0.99);
  ASSERT_TRUE(ranks);
  EXPECT_NEAR(static_cast<double>(ranks->lower), 990000 - 195, 3);
  EXPECT_NEAR(static_cast<double>(ranks->upper), 990000 + 196, 3);
  EXPECT_GE(ranks->coverage, 0.95);
  EXPECT_LT(ranks->coverage, 0.96);
}

TEST(MeanInterval, StudentsSleepDifferencesMatchTheTextbook) {
  // R: t.test(extra ~ group, data = sleep, paired = TRUE): 0.7001142 to 2.4598858.
  std::vector<double> differences;
  for (std::size_t i = 0; i < kSleepGroup1.size(); ++i) {
    differences.push_back(kSleepGroup2[i] - kSleepGroup1[i]);
  }
  std::optional<Interval> interval = MeanInterval(differences);
  ASSERT_TRUE(interval);
  EXPECT_NEAR(interval->low, 0.7001142, 1e-6);
  EXPECT_NEAR(interval->high, 2.4598858, 1e-6);
}

TEST(MeanInterval, NeedsTwoValues) { EXPECT_FALSE(MeanInterval(std::vector<double>{1.0})); }

TEST(WelchDifferenceInterval, StudentsSleepGroupsMatchTheTextbook) {
  // R: t.test(extra ~ group, data = sleep): df = 17.776, -3.3654832 to 0.2054832.
  std::optional<Interval> interval = WelchDifferenceInterval(kSleepGroup1, kSleepGroup2);
  ASSERT_TRUE(interval);
  EXPECT_NEAR(interval->low, -3.3654832, 1e-6);
  EXPECT_NEAR(interval->high, 0.2054832, 1e-6);
}

TEST(RatioInterval, IsTheWelchIntervalOfTheLogarithmsExponentiated) {
  std::vector<double> sync = {502, 498, 510};
  std::vector<double> async = {4.8, 5.1, 4.6};
  std::optional<RatioEstimate> estimate = RatioInterval(sync, async);
  ASSERT_TRUE(estimate);
  EXPECT_NEAR(estimate->ratio, 104.23, 0.01);  // 503.3 / 4.829, the geometric means
  EXPECT_LT(estimate->interval.low, estimate->ratio);
  EXPECT_GT(estimate->interval.high, estimate->ratio);
  EXPECT_TRUE(Distinguishable(*estimate));
}

TEST(RatioInterval, OverlappingRepeatsAreNotDistinguishable) {
  std::vector<double> a = {100, 140, 90};
  std::vector<double> b = {110, 95, 130};
  std::optional<RatioEstimate> estimate = RatioInterval(a, b);
  ASSERT_TRUE(estimate);
  EXPECT_FALSE(Distinguishable(*estimate));
}

TEST(RatioInterval, RefusesNonPositiveValues) {
  EXPECT_FALSE(RatioInterval(std::vector<double>{0, 1}, std::vector<double>{1, 2}));
}

TEST(PercentileInterval, BoundsAUniformHistogramsMedianByItsOrderStatistics) {
  // Samples 1..1000 us: the median's 95 % ranks for n = 1000 are 469 and 532.
  LatencyHistogram h;
  for (int us = 1; us <= 1000; ++us) h.Record(std::int64_t{us} * 1000);
  std::optional<Interval> interval = PercentileInterval(h, 50);
  ASSERT_TRUE(interval);
  EXPECT_NEAR(interval->low, 469'000, 469'000 / 256.0);
  EXPECT_NEAR(interval->high, 532'000, 532'000 / 256.0);
  EXPECT_TRUE(interval->Contains(static_cast<double>(h.Percentile(50))));
}

TEST(PercentileRatioInterval, TwoRunsOfOneDistributionAreNotDistinguishable) {
  LatencyHistogram a, b;
  for (int i = 1; i <= 2000; ++i) {
    a.Record(std::int64_t{i} * 1000);
    b.Record(std::int64_t{i} * 1000 + 500);
  }
  std::optional<RatioEstimate> estimate = PercentileRatioInterval(a, b, 50);
  ASSERT_TRUE(estimate);
  EXPECT_NEAR(estimate->ratio, 1.0, 0.01);
  EXPECT_FALSE(Distinguishable(*estimate));
}

TEST(PercentileRatioInterval, ATenfoldSlowerRunIsDistinguishable) {
  LatencyHistogram fast, slow;
  for (int i = 1; i <= 2000; ++i) {
    fast.Record(std::int64_t{i} * 1000);
    slow.Record(std::int64_t{i} * 10'000);
  }
  std::optional<RatioEstimate> estimate = PercentileRatioInterval(slow, fast, 99);
  ASSERT_TRUE(estimate);
  EXPECT_NEAR(estimate->ratio, 10.0, 0.1);
  EXPECT_TRUE(Distinguishable(*estimate));
}

TEST(LeastSquaresSlope, AnExactLineHasItsSlopeAndANullWidthInterval) {
  std::vector<double> x{0, 1, 2, 3, 4};
  std::vector<double> y{5, 7, 9, 11, 13};
  SlopeEstimate e = LeastSquaresSlope(x, y);
  EXPECT_DOUBLE_EQ(e.slope, 2.0);
  ASSERT_TRUE(e.interval);
  EXPECT_NEAR(e.interval->low, 2.0, 1e-12);
  EXPECT_NEAR(e.interval->high, 2.0, 1e-12);
}

TEST(LeastSquaresSlope, MatchesAHandComputedFitAndInterval) {
  std::vector<double> x{0, 1, 2, 3};
  std::vector<double> y{1, 3, 2, 5};
  SlopeEstimate e = LeastSquaresSlope(x, y);
  EXPECT_NEAR(e.slope, 1.1, 1e-12);  // sxy 5.5 / sxx 5
  ASSERT_TRUE(e.interval);
  // Fitted 1.1 + 1.1 x = 1.1, 2.2, 3.3, 4.4; residuals -0.1, 0.8, -1.3, 0.6; their squares
  // sum to 2.7; the slope's standard error sqrt(2.7 / 2 / 5) = 0.5196; t(0.975, 2 df) =
  // 4.3027: a half width of 2.2358.
  EXPECT_NEAR(e.interval->high - e.slope, 2.2358, 1e-3);
  EXPECT_NEAR(e.slope - e.interval->low, 2.2358, 1e-3);
}

TEST(LeastSquaresSlope, TwoPointsHaveASlopeButNoInterval) {
  std::vector<double> x{0, 1};
  std::vector<double> y{0, 3};
  SlopeEstimate e = LeastSquaresSlope(x, y);
  EXPECT_DOUBLE_EQ(e.slope, 3.0);
  EXPECT_FALSE(e.interval);
}

}  // namespace
}  // namespace flowbench::stats
