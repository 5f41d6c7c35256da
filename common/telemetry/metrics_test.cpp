// Metrics exposition: every family of CONTRACT.md §5, every series with arch and service.
#include "common/telemetry/metrics.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/domain/scenario_ids.hpp"
#include "common/telemetry/prometheus_text.hpp"

namespace flowbench {
namespace {

TEST(Metrics, EverySeriesCarriesArchAndServiceLabels) {
  Metrics metrics("sync", "order");
  metrics.ObserveHttpRequest("POST", "/create_order", 400, 0.012);
  metrics.ObserveScenarioCompletion(scenario::kOrderSaga, 0.6);
  metrics.ObserveDownstreamRequest("payment", 0.5);
  metrics.CountDownstreamFailure("payment", "timeout");
  metrics.SetCircuitBreakerState("payment", 1);
  metrics.CountPublished("", "order_created_queue");
  metrics.CountConsumed("order_payment_failed_queue", "ok");
  metrics.ObserveMessageHandling("order_payment_failed_queue", 0.001);

  prometheus_text::Exposition exposition = prometheus_text::ParseText(metrics.Exposition());
  EXPECT_TRUE(exposition.unreadable.empty()) << exposition.unreadable.front();
  for (const prometheus_text::Sample& sample : exposition.samples) {
    EXPECT_EQ(sample.Label("arch"), "sync") << sample.name;
    EXPECT_EQ(sample.Label("service"), "order") << sample.name;
  }
  EXPECT_GT(exposition.samples.size(), 8u);
}

TEST(Metrics, ExpositionHasTheContractNamesAndLabels) {
  Metrics metrics("async", "user");
  metrics.ObserveHttpRequest("POST", "/register", 202, 0.002);
  metrics.ObserveScenarioCompletion(scenario::kEmailOnRegistration, 0.5);
  metrics.CountConsumed("user_registered_queue", "duplicate");
  std::string text = metrics.Exposition();
  EXPECT_NE(text.find("http_requests_total{"), std::string::npos);
  EXPECT_NE(text.find("status=\"202\""), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{"), std::string::npos);
  EXPECT_NE(text.find("flowbench_scenario_completion_seconds_count{"), std::string::npos);
  EXPECT_NE(text.find("scenario=\"" + std::string(scenario::kEmailOnRegistration) + "\""),
            std::string::npos);
  EXPECT_NE(text.find("outcome=\"duplicate\""), std::string::npos);
}

// A client chooses the method: each new label value would be a series with 64 buckets kept
// for the life of the process, so anything outside the standard set is one label.
TEST(Metrics, AnHttpMethodOutsideTheStandardSetIsCountedAsOther) {
  Metrics metrics("async", "user");
  for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
    metrics.ObserveHttpRequest(method, "/register", 405, 0.001);
  }
  for (int i = 0; i < 100; ++i) {
    metrics.ObserveHttpRequest("INVENTED" + std::to_string(i), "unmatched", 404, 0.001);
  }
  metrics.ObserveHttpRequest("get", "unmatched", 404, 0.001);  // methods are case-sensitive

  prometheus_text::Exposition exposition = prometheus_text::ParseText(metrics.Exposition());
  std::set<std::string> methods;
  for (const prometheus_text::Sample& sample : exposition.samples) {
    if (sample.name == "http_requests_total") methods.insert(sample.Label("method").value_or(""));
  }
  EXPECT_EQ(methods, (std::set<std::string>{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                                            "OPTIONS", "OTHER"}));
  EXPECT_EQ(exposition.First("http_requests_total", {{"method", "OTHER"}}), 101);
}

TEST(Metrics, ExpositionHasTheProcessCpuAndMemoryOfThisProcess) {
  Metrics metrics("sync", "user");
  std::string text = metrics.Exposition();
  EXPECT_NE(text.find("process_cpu_seconds_total{arch=\"sync\",service=\"user\"}"),
            std::string::npos)
      << text;
  std::optional<double> bytes = prometheus_text::ParseText(text).First(
      "process_resident_memory_bytes", {{"arch", "sync"}, {"service", "user"}});
  ASSERT_TRUE(bytes) << text;
  EXPECT_GT(*bytes, 1e6);
  EXPECT_NE(text.find("process_start_time_seconds{"), std::string::npos);
}

TEST(Metrics, LatencyBucketsSpanMillisecondsToMinutes) {
  const auto& buckets = Metrics::LatencyBuckets();
  EXPECT_DOUBLE_EQ(buckets.front(), 0.0005);
  EXPECT_GT(buckets.back(), 600.0);
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    EXPECT_NEAR(buckets[i] / buckets[i - 1], 1.25, 1e-9);
  }
}

TEST(Metrics, CompletionBucketsAreFineEnoughForPercentilesWithinTenPercentUpToAnHour) {
  const auto& buckets = Metrics::CompletionBuckets();
  EXPECT_DOUBLE_EQ(buckets.front(), 0.0005);
  EXPECT_GT(buckets.back(), 3600.0);
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    EXPECT_NEAR(buckets[i] / buckets[i - 1], 1.10, 1e-9);
  }
}

TEST(Metrics, ScenarioCompletionIsExposedWithTheFineBuckets) {
  Metrics metrics("async", "email");
  metrics.ObserveScenarioCompletion(scenario::kEmailOnRegistration, 0.6);
  std::string text = metrics.Exposition();
  std::size_t lines = 0;
  for (std::size_t at = text.find("flowbench_scenario_completion_seconds_bucket{");
       at != std::string::npos;
       at = text.find("flowbench_scenario_completion_seconds_bucket{", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, Metrics::CompletionBuckets().size() + 1);  // and +Inf
}

// The series are found again by their label values: repeated observations add up in one
// series, and label values that would read the same run together stay apart.
TEST(Metrics, RepeatedObservationsAddUpInTheirOwnSeries) {
  Metrics metrics("async", "analytics");
  for (int i = 0; i < 3; ++i) metrics.ObserveHttpRequest("POST", "/track_click", 200, 0.001);
  metrics.ObserveHttpRequest("POST", "/track_click", 503, 0.001);
  metrics.ObserveHttpRequest("BREW", "/track_click", 200, 0.001);
  metrics.CountPublished("ab", "c");
  metrics.CountPublished("a", "bc");
  metrics.CountPublished("a", "bc");
  prometheus_text::Exposition exposition = prometheus_text::ParseText(metrics.Exposition());
  EXPECT_EQ(exposition.Sum("http_requests_total",
                           {{"method", "POST"}, {"route", "/track_click"}, {"status", "200"}}),
            3);
  EXPECT_EQ(exposition.Sum("http_requests_total",
                           {{"method", "POST"}, {"route", "/track_click"}, {"status", "503"}}),
            1);
  EXPECT_EQ(exposition.Sum("http_requests_total", {{"method", "OTHER"}}), 1);
  EXPECT_EQ(exposition.Sum("http_request_duration_seconds_count",
                           {{"method", "POST"}, {"route", "/track_click"}}),
            4);
  EXPECT_EQ(exposition.Sum("flowbench_messages_published_total",
                           {{"exchange", "ab"}, {"routing_key", "c"}}),
            1);
  EXPECT_EQ(exposition.Sum("flowbench_messages_published_total",
                           {{"exchange", "a"}, {"routing_key", "bc"}}),
            2);
}

}  // namespace
}  // namespace flowbench
