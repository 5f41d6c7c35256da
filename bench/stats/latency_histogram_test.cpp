// LatencyHistogram: percentiles within 1 % of the exact ones on random data from 1 µs to
// 1 h, merge equals recording everything in one, edge values, JSON round trip.
#include "bench/stats/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "bench/stats/stats_json.hpp"

namespace flowbench::stats {
namespace {

constexpr std::int64_t kMicro = 1'000;
constexpr std::int64_t kHour = 3'600'000'000'000;

std::int64_t ExactPercentile(std::vector<std::int64_t> sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

void ExpectWithinOnePercent(const std::vector<std::int64_t>& values, const char* name) {
  LatencyHistogram h;
  for (std::int64_t v : values) h.Record(v);
  std::vector<std::int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99}) {
    double exact = static_cast<double>(ExactPercentile(sorted, p));
    double got = static_cast<double>(h.Percentile(p));
    EXPECT_LE(std::abs(got - exact), exact * 0.01)
        << name << " p" << p << ": exact " << exact << " ns, histogram " << got << " ns";
  }
  EXPECT_EQ(h.Min(), sorted.front()) << name;
  EXPECT_EQ(h.Max(), sorted.back()) << name;
  double mean = 0;
  for (std::int64_t v : values) mean += static_cast<double>(v);
  mean /= static_cast<double>(values.size());
  EXPECT_NEAR(h.Mean(), mean, mean * 1e-9) << name;
}

TEST(LatencyHistogram, PercentilesWithinOnePercentOfExactOnRandomData) {
  std::mt19937_64 rng(42);
  std::vector<std::int64_t> log_uniform, lognormal, bimodal;
  std::uniform_real_distribution<double> exponent(std::log(kMicro), std::log(kHour));
  std::lognormal_distribution<double> around_2ms(std::log(2e6), 0.8);
  std::normal_distribution<double> fast(300e3, 30e3), stalled(1e9, 1e7);
  std::bernoulli_distribution rare(0.02);
  for (int i = 0; i < 200'000; ++i) {
    log_uniform.push_back(static_cast<std::int64_t>(std::exp(exponent(rng))));
    lognormal.push_back(std::max<std::int64_t>(kMicro, static_cast<std::int64_t>(around_2ms(rng))));
    bimodal.push_back(static_cast<std::int64_t>(rare(rng) ? stalled(rng) : fast(rng)));
  }
  ExpectWithinOnePercent(log_uniform, "log-uniform 1us..1h");
  ExpectWithinOnePercent(lognormal, "lognormal around 2 ms");
  ExpectWithinOnePercent(bimodal, "300 us with 2 % at 1 s");
}

TEST(LatencyHistogram, StdevCloseToExact) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> d(5e6, 1e6);
  LatencyHistogram h;
  double sum = 0, squares = 0;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) {
    auto v = static_cast<std::int64_t>(std::max(0.0, d(rng)));
    h.Record(v);
    sum += static_cast<double>(v);
    squares += static_cast<double>(v) * static_cast<double>(v);
  }
  double mean = sum / n;
  double stdev = std::sqrt(squares / n - mean * mean);
  EXPECT_NEAR(h.Stdev(), stdev, stdev * 0.01);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::int64_t> d(0, kHour);
  LatencyHistogram all, a, b, empty;
  for (int i = 0; i < 50'000; ++i) {
    std::int64_t v = d(rng) >> (i % 30);
    all.Record(v);
    (i % 3 == 0 ? a : b).Record(v);
  }
  a.Merge(b);
  a.Merge(empty);
  EXPECT_EQ(a.Count(), all.Count());
  EXPECT_EQ(a.Min(), all.Min());
  EXPECT_EQ(a.Max(), all.Max());
  EXPECT_DOUBLE_EQ(a.Mean(), all.Mean());
  for (int i = 0; i < LatencyHistogram::kCountsLength; ++i)
    ASSERT_EQ(a.CountAt(i), all.CountAt(i)) << i;
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.Percentile(p), all.Percentile(p));
}

TEST(LatencyHistogram, EdgeValues) {
  LatencyHistogram empty;
  EXPECT_EQ(empty.Count(), 0u);
  EXPECT_EQ(empty.Percentile(99), 0);
  EXPECT_EQ(empty.Min(), 0);
  EXPECT_EQ(empty.Mean(), 0);
  EXPECT_EQ(empty.Stdev(), 0);

  LatencyHistogram h;
  h.Record(-5);  // a clock that went backwards counts as 0, never as garbage
  h.Record(0);
  h.Record(LatencyHistogram::kMaxTrackable);
  h.Record(LatencyHistogram::kMaxTrackable + 12345);
  EXPECT_EQ(h.Count(), 4u);
  EXPECT_EQ(h.Saturated(), 1u);
  EXPECT_EQ(h.Min(), 0);
  EXPECT_EQ(h.Max(), LatencyHistogram::kMaxTrackable);
  EXPECT_EQ(h.Percentile(0), 0);
  EXPECT_EQ(h.Percentile(100), LatencyHistogram::kMaxTrackable);
  EXPECT_GE(LatencyHistogram::kMaxTrackable, kHour);

  LatencyHistogram one;
  one.Record(1'234'567);
  for (double p : {0.0, 50.0, 99.9, 100.0}) EXPECT_EQ(one.Percentile(p), 1'234'567) << p;
  EXPECT_EQ(one.Stdev(), 0);

  // Every index maps back to a bucket that contains the values mapping to it.
  for (int i = 0; i < LatencyHistogram::kCountsLength; ++i) {
    std::int64_t low = LatencyHistogram::LowestAt(i);
    std::int64_t high = low + LatencyHistogram::WidthAt(i) - 1;
    ASSERT_EQ(LatencyHistogram::IndexOf(low), i);
    ASSERT_EQ(LatencyHistogram::IndexOf(high), i);
    ASSERT_LE(static_cast<double>(LatencyHistogram::WidthAt(i)), std::max(1.0, low / 128.0)) << i;
  }
}

TEST(LatencyHistogram, JsonRoundTripIsLossless) {
  LatencyHistogram h;
  for (std::int64_t v : {1'000, 2'000, 2'001, 45'000'000, 999'999'999}) h.Record(v);
  boost::json::object json = HistogramToJson(h);
  LatencyHistogram back = HistogramFromJson(json);
  EXPECT_EQ(back.Count(), h.Count());
  EXPECT_EQ(back.Min(), h.Min());
  EXPECT_EQ(back.Max(), h.Max());
  EXPECT_DOUBLE_EQ(back.Mean(), h.Mean());
  EXPECT_EQ(back.Percentile(60), h.Percentile(60));

  json["count"] = 99;
  EXPECT_THROW(HistogramFromJson(json), std::invalid_argument);
  boost::json::object bad = HistogramToJson(h);
  bad["buckets"] = boost::json::array{boost::json::array{LatencyHistogram::kCountsLength, 1}};
  EXPECT_THROW(HistogramFromJson(bad), std::invalid_argument);
  EXPECT_EQ(HistogramFromJson(HistogramToJson(LatencyHistogram{})).Count(), 0u);
}

}  // namespace
}  // namespace flowbench::stats
