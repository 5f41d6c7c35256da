// The statistics of results.json v2: within-run intervals (which keys, when), and the
// sync/async comparison by Bonferroni on single runs (synthetic histograms: clearly different
// builds are distinguishable, one distribution twice is not) and by Student/Welch over 3
// repeats (intervals checked against values worked out by hand, t quantiles from tables).
#include "bench/run/statistics.hpp"

#include <gtest/gtest.h>

#include <random>

namespace flowbench::run {
namespace {

using report::ComparedFigure;
using report::ProfileRun;
using report::RunResults;
using report::ScenarioResult;

constexpr std::int64_t kMs = 1'000'000;

// `n` samples from a log-normal around `median_ms`, from a fixed seed: deterministic.
stats::LatencyHistogram LogNormal(std::uint64_t n, double median_ms, std::uint32_t seed) {
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> draw(std::log(median_ms * kMs), 0.3);
  stats::LatencyHistogram h;
  for (std::uint64_t i = 0; i < n; ++i) h.Record(static_cast<std::int64_t>(draw(random)));
  return h;
}

ScenarioResult FromHistograms(const ScenarioHistograms& h) {
  ScenarioResult s;
  s.scenario = "scenario2";
  s.requests = h.answer.Count();
  s.throughput_rps = static_cast<double>(h.answer.Count()) / 60;
  s.latency.p50 = static_cast<double>(h.answer.Percentile(50)) * 1e-9;
  s.latency.p99 = static_cast<double>(h.answer.Percentile(99)) * 1e-9;
  s.completion = report::LatencySummary{};
  s.completion->p50 = static_cast<double>(h.completion.Percentile(50)) * 1e-9;
  s.completion->p99 = static_cast<double>(h.completion.Percentile(99)) * 1e-9;
  s.completion_source = "per-request";
  return s;
}

ProfileRun MakeRun(const std::string& arch, int repeat, ScenarioResult scenario) {
  ProfileRun run;
  run.arch = arch;
  run.profile = "baseline";
  run.repeat = repeat;
  run.scenarios.push_back(std::move(scenario));
  return run;
}

const ComparedFigure& Find(const std::vector<ComparedFigure>& figures, const std::string& figure) {
  for (const ComparedFigure& f : figures) {
    if (f.figure == figure) return f;
  }
  throw std::runtime_error("no " + figure);
}

// One run per build from the given histograms, compared.
std::vector<ComparedFigure> CompareOnce(const ScenarioHistograms& sync,
                                        const ScenarioHistograms& async, RunResults& results) {
  results.runs = {MakeRun("sync", 1, FromHistograms(sync)),
                  MakeRun("async", 1, FromHistograms(async))};
  std::vector<RunHistograms> histograms = {{{"scenario2", sync}}, {{"scenario2", async}}};
  return CompareBuilds(results, histograms);
}

TEST(WithinRunIntervals, AKeyForEachFigureWithEnoughSamples) {
  ScenarioHistograms h{LogNormal(1000, 20, 1), LogNormal(100, 500, 2)};
  std::map<std::string, report::Interval> intervals = WithinRunIntervals(h);
  std::vector<std::string> keys;
  for (const auto& [key, interval] : intervals) keys.push_back(key);
  // p99.9 needs 3,688 samples, a p99 368: the 100 completions give a median only.
  EXPECT_EQ(keys,
            (std::vector<std::string>{"answer.p50", "answer.p90", "answer.p99", "completion.p50"}));
  const report::Interval& p50 = intervals.at("answer.p50");
  double median = static_cast<double>(h.answer.Percentile(50)) * 1e-9;
  EXPECT_LT(p50.low, median);
  EXPECT_GT(p50.high, median);
  EXPECT_NEAR(median, 0.020, 0.002);  // in seconds

  h.answer = LogNormal(5000, 20, 3);
  EXPECT_TRUE(WithinRunIntervals(h).contains("answer.p99.9"));
  EXPECT_TRUE(WithinRunIntervals(ScenarioHistograms{}).empty());
}

TEST(CompareBuilds, ClearlyDifferentBuildsAreDistinguishableFromOneRunEach) {
  RunResults results;
  std::vector<ComparedFigure> figures =
      CompareOnce({LogNormal(2000, 100, 1), LogNormal(2000, 300, 2)},
                  {LogNormal(2000, 10, 3), LogNormal(2000, 900, 4)}, results);
  ASSERT_EQ(figures.size(), 5u);
  const ComparedFigure& p99 = Find(figures, "answer.p99");
  EXPECT_EQ(p99.profile, "baseline");
  EXPECT_EQ(p99.scenario, "scenario2");
  EXPECT_EQ(p99.method, "bonferroni");
  ASSERT_TRUE(p99.ratio && p99.ratio_interval && p99.sync_interval && p99.async_interval);
  EXPECT_NEAR(*p99.ratio, 10, 1.5);
  EXPECT_GT(p99.ratio_interval->low, 1);
  EXPECT_TRUE(p99.distinguishable);
  EXPECT_LE(p99.sync_interval->low, p99.sync_value);
  EXPECT_GE(p99.sync_interval->high, p99.sync_value);

  const ComparedFigure& completion = Find(figures, "completion.p50");
  EXPECT_TRUE(completion.distinguishable);
  EXPECT_LT(completion.ratio_interval->high, 1);  // sync completes sooner: ratio near 1/3

  const ComparedFigure& throughput = Find(figures, "throughput");
  EXPECT_EQ(throughput.method, "none");
  EXPECT_FALSE(throughput.ratio_interval);
  EXPECT_FALSE(throughput.distinguishable);
  EXPECT_DOUBLE_EQ(*throughput.ratio, 1);
}

TEST(CompareBuilds, OneDistributionTwiceIsNotDistinguishable) {
  RunResults results;
  std::vector<ComparedFigure> figures =
      CompareOnce({LogNormal(2000, 50, 11), LogNormal(2000, 400, 12)},
                  {LogNormal(2000, 50, 13), LogNormal(2000, 400, 14)}, results);
  for (const char* figure : {"answer.p50", "answer.p99", "completion.p50", "completion.p99"}) {
    const ComparedFigure& f = Find(figures, figure);
    ASSERT_TRUE(f.ratio_interval) << figure;
    EXPECT_TRUE(f.ratio_interval->low <= 1 && 1 <= f.ratio_interval->high) << figure;
    EXPECT_FALSE(f.distinguishable) << figure;
  }
}

TEST(CompareBuilds, TooFewSamplesOrALowerBoundGiveNoInterval) {
  RunResults results;
  std::vector<ComparedFigure> figures =
      CompareOnce({LogNormal(100, 50, 1), LogNormal(100, 400, 2)},
                  {LogNormal(2000, 5, 3), LogNormal(2000, 40, 4)}, results);
  const ComparedFigure& p99 = Find(figures, "answer.p99");
  EXPECT_FALSE(p99.sync_interval);  // 100 samples: no p99 bound
  EXPECT_TRUE(p99.async_interval);
  EXPECT_FALSE(p99.ratio_interval);
  EXPECT_FALSE(p99.distinguishable);
  ASSERT_TRUE(p99.ratio);  // the point estimate still stands
  EXPECT_TRUE(Find(figures, "answer.p50").distinguishable);

  // A run that did not drain: its completion figures are lower bounds, not estimates.
  results.runs[0].scenarios[0].completion_lower_bound = true;
  std::vector<RunHistograms> histograms = {
      {{"scenario2", {LogNormal(2000, 50, 1), LogNormal(2000, 400, 2)}}},
      {{"scenario2", {LogNormal(2000, 5, 3), LogNormal(2000, 40, 4)}}}};
  figures = CompareBuilds(results, histograms);
  EXPECT_FALSE(Find(figures, "completion.p99").ratio_interval);
  EXPECT_FALSE(Find(figures, "completion.p99").distinguishable);
  EXPECT_TRUE(Find(figures, "answer.p99").distinguishable);

  // Completion read off Prometheus buckets: no per-request histogram stands for it.
  results.runs[0].scenarios[0].completion_lower_bound = false;
  results.runs[0].scenarios[0].completion_source = "prometheus-buckets";
  EXPECT_FALSE(Find(CompareBuilds(results, histograms), "completion.p99").ratio_interval);
}

TEST(CompareBuilds, ThreeRepeatsUseStudentAndWelchOnLogarithms) {
  RunResults results;
  const double sync_p99[] = {0.10, 0.12, 0.14}, async_p99[] = {0.05, 0.06, 0.07};
  const double async_close[] = {0.11, 0.12, 0.13};
  for (int i = 0; i < 3; ++i) {
    ScenarioResult s, a;
    s.scenario = a.scenario = "scenario2";
    s.latency.p99 = sync_p99[i];
    a.latency.p99 = async_p99[i];
    s.latency.p50 = 0.01;
    a.latency.p50 = async_close[i] / 10;
    s.throughput_rps = a.throughput_rps = 50;
    results.runs.push_back(MakeRun("sync", i + 1, s));
    results.runs.push_back(MakeRun("async", i + 1, a));
  }
  std::vector<ComparedFigure> figures = CompareBuilds(results, {});
  ASSERT_EQ(figures.size(), 3u);  // no completion measured: no completion figures
  const ComparedFigure& p99 = Find(figures, "answer.p99");
  EXPECT_EQ(p99.method, "welch-log");
  EXPECT_NEAR(p99.sync_value, 0.12, 1e-12);
  // mean 0.12, s = 0.02, t(0.975, 2) = 4.302653: 0.12 ± 0.049683
  ASSERT_TRUE(p99.sync_interval);
  EXPECT_NEAR(p99.sync_interval->low, 0.070317, 1e-5);
  EXPECT_NEAR(p99.sync_interval->high, 0.169683, 1e-5);
  // Every sync repeat is twice its async one: the geometric means' ratio is 2; the logs'
  // variances are equal, so Welch has 4 degrees of freedom, t(0.975, 4) = 2.776445.
  ASSERT_TRUE(p99.ratio && p99.ratio_interval);
  EXPECT_NEAR(*p99.ratio, 2, 1e-12);
  EXPECT_NEAR(p99.ratio_interval->low, 1.36522, 1e-4);
  EXPECT_NEAR(p99.ratio_interval->high, 2.92992, 1e-4);
  EXPECT_TRUE(p99.distinguishable);

  const ComparedFigure& p50 = Find(figures, "answer.p50");  // 0.01 against 0.011, 0.012, 0.013
  EXPECT_FALSE(p50.distinguishable) << p50.ratio_interval->low << " " << p50.ratio_interval->high;

  // Two repeats only: back to each build's first repeat.
  results.runs.resize(4);
  EXPECT_EQ(Find(CompareBuilds(results, {}), "answer.p99").method, "bonferroni");
}

TEST(CompareBuilds, NothingToCompareWithOneBuild) {
  RunResults results;
  results.runs = {MakeRun("async", 1, FromHistograms({LogNormal(500, 5, 1), {}}))};
  EXPECT_TRUE(CompareBuilds(results, {}).empty());
}

}  // namespace
}  // namespace flowbench::run
