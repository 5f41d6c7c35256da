// The Prometheus text reader: samples with their labels and values, comments, escaping in
// label values, special values, and lines that are no sample.
#include "common/telemetry/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "common/telemetry/metrics.hpp"

namespace flowbench::prometheus_text {
namespace {

TEST(PrometheusText, ReadsNameLabelsAndValueAndSkipsComments) {
  Exposition e = ParseText(
      "# HELP http_requests_total Requests.\n"
      "# TYPE http_requests_total counter\n"
      "\n"
      "http_requests_total{method=\"POST\",status=\"201\"} 1027\n"
      "process_start_time_seconds 1.7e9\n");
  ASSERT_EQ(e.samples.size(), 2u);
  EXPECT_TRUE(e.unreadable.empty());
  EXPECT_EQ(e.samples[0].name, "http_requests_total");
  EXPECT_EQ(e.samples[0].labels, (Labels{{"method", "POST"}, {"status", "201"}}));
  EXPECT_EQ(e.samples[0].value, 1027);
  EXPECT_EQ(e.samples[1].name, "process_start_time_seconds");
  EXPECT_TRUE(e.samples[1].labels.empty());
  EXPECT_EQ(e.samples[1].value, 1.7e9);
}

TEST(PrometheusText, UnescapesLabelValues) {
  Exposition e =
      ParseText(R"(msg{path="C:\\dir\\file",quote="say \"hi\"",lines="a\nb",x="}, "} 1)");
  ASSERT_EQ(e.samples.size(), 1u) << (e.unreadable.empty() ? "" : e.unreadable.front());
  EXPECT_EQ(e.samples[0].Label("path"), "C:\\dir\\file");
  EXPECT_EQ(e.samples[0].Label("quote"), "say \"hi\"");
  EXPECT_EQ(e.samples[0].Label("lines"), "a\nb");
  EXPECT_EQ(e.samples[0].Label("x"), "}, ");
  EXPECT_EQ(e.samples[0].Label("absent"), std::nullopt);
}

TEST(PrometheusText, ReadsSpecialValuesTimestampsAndATrailingComma) {
  Exposition e = ParseText(
      "h_bucket{le=\"+Inf\",} 12\n"
      "g{a=\"1\"} +Inf\n"
      "g{a=\"2\"} -Inf\n"
      "g{a=\"3\"} NaN\n"
      "c_total 5 1700000000000\n");
  ASSERT_EQ(e.samples.size(), 5u);
  EXPECT_EQ(e.samples[0].Label("le"), "+Inf");
  EXPECT_EQ(e.samples[0].value, 12);
  EXPECT_TRUE(std::isinf(e.samples[1].value) && e.samples[1].value > 0);
  EXPECT_TRUE(std::isinf(e.samples[2].value) && e.samples[2].value < 0);
  EXPECT_TRUE(std::isnan(e.samples[3].value));
  EXPECT_EQ(e.samples[4].value, 5);
}

TEST(PrometheusText, KeepsLinesThatAreNoSampleAsUnreadable) {
  Exposition e = ParseText("not a metric line\nx{a=\"unclosed} 1\nx{a=\"1\"}\nok 1\n");
  ASSERT_EQ(e.samples.size(), 1u);
  EXPECT_EQ(e.samples[0].name, "ok");
  EXPECT_EQ(e.unreadable,
            (std::vector<std::string>{"not a metric line", "x{a=\"unclosed} 1", "x{a=\"1\"}"}));
}

TEST(PrometheusText, SumsAndFindsSamplesWhoseLabelsMatch) {
  Exposition e = ParseText(
      "f_total{target=\"email\",reason=\"connect\"} 3\n"
      "f_total{target=\"email\",reason=\"circuit_open\"} 4\n"
      "f_total{target=\"payment\",reason=\"connect\"} 9\n"
      "f_total_other{target=\"email\"} 100\n");
  EXPECT_EQ(e.Sum("f_total", {{"target", "email"}}), 7);
  EXPECT_EQ(e.Sum("f_total"), 16);
  EXPECT_EQ(e.Sum("f_total", {{"target", "search"}}), 0);
  EXPECT_EQ(e.First("f_total", {{"reason", "connect"}}), 3);
  EXPECT_EQ(e.First("absent"), std::nullopt);
}

// The outage demo's read of a caller's failed calls and breaker (was demo's MetricSum).
TEST(PrometheusText, AddsTheSamplesWhoseLabelsMatch) {
  const std::string exposition =
      "# HELP flowbench_downstream_failures_total x\n"
      "flowbench_downstream_failures_total{arch=\"sync\",target=\"email\",reason=\"connect\"} 3\n"
      "flowbench_downstream_failures_total{arch=\"sync\",target=\"email\",reason=\"circuit_open\"} "
      "4\n"
      "flowbench_downstream_failures_total{arch=\"sync\",target=\"payment\",reason=\"connect\"} 9\n"
      "flowbench_downstream_failures_total_other{target=\"email\"} 100\n"
      "flowbench_circuit_breaker_state{arch=\"sync\",target=\"email\"} 1\n";
  EXPECT_EQ(ParseText(exposition).Sum("flowbench_downstream_failures_total", {{"target", "email"}}),
            7);
  EXPECT_EQ(ParseText(exposition).Sum("flowbench_circuit_breaker_state", {{"target", "email"}}), 1);
  EXPECT_EQ(ParseText(exposition).Sum("flowbench_circuit_breaker_state", {{"target", "payment"}}),
            0);
}

TEST(PrometheusText, ReadsEveryLineOfOurOwnExposition) {
  Metrics metrics("async", "email");
  metrics.ObserveHttpRequest("POST", "/register", 202, 0.002);
  metrics.ObserveScenarioCompletion("scenario1", 0.6);
  Exposition e = ParseText(metrics.Exposition());
  EXPECT_TRUE(e.unreadable.empty()) << e.unreadable.front();
  EXPECT_EQ(e.Sum("flowbench_scenario_completion_seconds_count", {{"scenario", "scenario1"}}), 1);
  EXPECT_EQ(e.First("flowbench_scenario_completion_seconds_bucket",
                    {{"scenario", "scenario1"}, {"le", "+Inf"}}),
            1);
}

}  // namespace
}  // namespace flowbench::prometheus_text
