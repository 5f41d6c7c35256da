// Thresholds of `flowbench compare --threshold`: parsing (units, comparators, selectors
// with braces, clear errors) and evaluation (pass, breach, no data is a breach).
#include "bench/compare/threshold.hpp"

#include <gtest/gtest.h>

namespace flowbench::compare {
namespace {

TEST(ParseThreshold, K6LikeSyntax) {
  Threshold t = ParseThreshold("scenario6:p95<50ms");
  EXPECT_EQ(t.selector, "scenario6");
  EXPECT_EQ(t.stat, "p(95)");
  EXPECT_EQ(t.comparator, Comparator::kLess);
  EXPECT_DOUBLE_EQ(t.value, 50);
  EXPECT_TRUE(t.time_unit);

  t = ParseThreshold("http_req_duration{scenario:scenario1}:p(99.9) <= 1.5s");
  EXPECT_EQ(t.selector, "http_req_duration{scenario:scenario1}");
  EXPECT_EQ(t.stat, "p(99.9)");
  EXPECT_EQ(t.comparator, Comparator::kLessEqual);
  EXPECT_DOUBLE_EQ(t.value, 1500);

  t = ParseThreshold("http_req_failed:rate<1%");
  EXPECT_DOUBLE_EQ(t.value, 0.01);
  EXPECT_FALSE(t.time_unit);
  EXPECT_EQ(ParseThreshold("checks:rate>=0.99").comparator, Comparator::kGreaterEqual);
  EXPECT_EQ(ParseThreshold("x:med!=3").comparator, Comparator::kNotEqual);
  EXPECT_EQ(ParseThreshold("x:p50==3").stat, "med");
  EXPECT_EQ(ParseThreshold("x:mean>3").stat, "avg");
  EXPECT_EQ(ParseThreshold("x:passes>3").stat, "passes");
  EXPECT_DOUBLE_EQ(ParseThreshold("x:avg<250us").value, 0.25);
  EXPECT_DOUBLE_EQ(ParseThreshold("x:max<2m").value, 120'000);
}

TEST(ParseThreshold, MistakesAreClearErrors) {
  for (const char* bad : {"p95<50ms", "scenario6:p95", "scenario6:p95<", "scenario6:p95<50parsecs",
                          ":p95<5", "scenario6:<5", "scenario6:p95=<5"}) {
    try {
      ParseThreshold(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("scenario6:p95<50ms"), std::string::npos) << e.what();
    }
  }
}

RunSummary SampleRun() {
  RunSummary run;
  run.source = "a.json";
  MetricSummary duration;
  duration.type = "trend";
  duration.is_time = true;
  duration.stats = {{"avg", 20}, {"p(95)", 57.2}, {"med", 10}};
  run.metrics["http_req_duration{scenario:scenario6}"] = duration;
  MetricSummary failed;
  failed.type = "rate";
  failed.stats = {{"rate", 0.02}};
  run.metrics["http_req_failed"] = failed;
  return run;
}

TEST(EvaluateThreshold, PassAndBreach) {
  RunSummary run = SampleRun();
  ThresholdVerdict breach = EvaluateThreshold(ParseThreshold("scenario6:p95<50ms"), run);
  EXPECT_FALSE(breach.passed);
  EXPECT_EQ(breach.metric_key, "http_req_duration{scenario:scenario6}");
  EXPECT_EQ(breach.observed, 57.2);
  EXPECT_NE(breach.message.find("57.200 ms, not < 50.000 ms"), std::string::npos) << breach.message;

  EXPECT_TRUE(EvaluateThreshold(ParseThreshold("scenario6:p95<60ms"), run).passed);
  EXPECT_TRUE(EvaluateThreshold(ParseThreshold("scenario6:med<=0.01s"), run).passed);
  EXPECT_FALSE(EvaluateThreshold(ParseThreshold("http_req_failed:rate<1%"), run).passed);
  EXPECT_TRUE(EvaluateThreshold(ParseThreshold("http_req_failed:rate<5%"), run).passed);
}

TEST(EvaluateThreshold, NoDataIsABreachNeverAPass) {
  RunSummary run = SampleRun();
  ThresholdVerdict missing = EvaluateThreshold(ParseThreshold("scenario1:p95<50ms"), run);
  EXPECT_FALSE(missing.passed);
  EXPECT_FALSE(missing.observed);
  EXPECT_EQ(missing.metric_key, "http_req_duration{scenario:scenario1}");
  EXPECT_NE(missing.message.find("no samples"), std::string::npos) << missing.message;

  ThresholdVerdict no_stat = EvaluateThreshold(ParseThreshold("scenario6:p99<50ms"), run);
  EXPECT_FALSE(no_stat.passed);
  EXPECT_NE(no_stat.message.find("summaryTrendStats"), std::string::npos) << no_stat.message;

  EXPECT_FALSE(EvaluateThreshold(ParseThreshold("http_req_failed:rate<5ms"), run).passed);
}

}  // namespace
}  // namespace flowbench::compare
