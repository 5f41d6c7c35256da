// Completion from Prometheus buckets: parsing our own services' exposition, differences
// between two scrapes, and percentiles within one bucket's width of the truth.
#include "bench/run/completion_scrape.hpp"

#include <gtest/gtest.h>

#include "common/telemetry/metrics.hpp"

namespace flowbench::run {
namespace {

constexpr const char* kMetric = "flowbench_scenario_completion_seconds";

TEST(CompletionScrape, ParsesOurOwnExpositionPerScenario) {
  Metrics metrics("async", "email");
  for (int i = 1; i <= 100; ++i) metrics.ObserveScenarioCompletion("scenario1", i / 100.0);
  metrics.ObserveScenarioCompletion("scenario3", 0.2);
  auto histograms = ParseHistograms(metrics.Exposition(), kMetric, "scenario");
  ASSERT_EQ(histograms.size(), 2u);
  EXPECT_DOUBLE_EQ(histograms["scenario1"].count, 100);
  EXPECT_NEAR(histograms["scenario1"].sum, 50.5, 1e-9);
  EXPECT_DOUBLE_EQ(histograms["scenario3"].count, 1);
}

TEST(CompletionScrape, PercentilesAreWithinOneBucketOfTheExactOnes) {
  Metrics metrics("async", "email");
  for (int i = 1; i <= 1000; ++i) metrics.ObserveScenarioCompletion("scenario1", i / 1000.0);
  auto histograms = ParseHistograms(metrics.Exposition(), kMetric, "scenario");
  std::optional<report::LatencySummary> s = Summarise(histograms["scenario1"]);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 1000u);
  EXPECT_NEAR(s->mean, 0.5005, 1e-9);
  // Buckets grow by 25 %: an interpolated percentile is within 25 % of the exact one.
  EXPECT_NEAR(s->p50, 0.5, 0.5 * 0.25);
  EXPECT_NEAR(s->p95, 0.95, 0.95 * 0.25);
  EXPECT_NEAR(s->p99, 0.99, 0.99 * 0.25);
  EXPECT_LE(s->min, 0.001);
  EXPECT_GE(s->max, 1.0);
}

TEST(CompletionScrape, DifferenceKeepsOnlyTheRunsOwnObservations) {
  Metrics metrics("sync", "user");
  for (int i = 0; i < 50; ++i) metrics.ObserveScenarioCompletion("scenario1", 10.0);  // before
  auto before = ParseHistograms(metrics.Exposition(), kMetric, "scenario");
  for (int i = 0; i < 10; ++i) metrics.ObserveScenarioCompletion("scenario1", 0.5);  // the run
  auto after = ParseHistograms(metrics.Exposition(), kMetric, "scenario");
  BucketCounts run = Difference(after["scenario1"], before["scenario1"]);
  EXPECT_DOUBLE_EQ(run.count, 10);
  std::optional<report::LatencySummary> s = Summarise(run);
  ASSERT_TRUE(s);
  EXPECT_NEAR(s->p99, 0.5, 0.5 * 0.25);
  EXPECT_NEAR(s->mean, 0.5, 1e-9);
}

TEST(CompletionScrape, SeveralServicesOfOneScenarioAddUp) {
  Metrics a("async", "inventory"), b("async", "order");
  a.ObserveScenarioCompletion("scenario5", 0.1);
  b.ObserveScenarioCompletion("scenario5", 0.3);
  BucketCounts total;
  Accumulate(total, ParseHistograms(a.Exposition(), kMetric, "scenario")["scenario5"]);
  Accumulate(total, ParseHistograms(b.Exposition(), kMetric, "scenario")["scenario5"]);
  EXPECT_DOUBLE_EQ(total.count, 2);
}

TEST(CompletionScrape, NothingObservedIsNotMeasuredRatherThanZero) {
  EXPECT_FALSE(Summarise(BucketCounts{}));
  EXPECT_TRUE(ParseHistograms("# HELP x\nnot a metric line\n", kMetric, "scenario").empty());
}

}  // namespace
}  // namespace flowbench::run
