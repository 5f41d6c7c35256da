// WorkloadSettings: defaults, flags, environment variables, precedence, JSON round trip.
#include "common/domain/workload_settings.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

WorkloadSettings Parse(std::vector<std::string> args) {
  WorkloadSettings settings;
  CLI::App app;
  BindWorkloadSettings(app, settings);
  std::vector<const char*> argv{"test"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return settings;
}

TEST(WorkloadSettings, DefaultsAreTheContractDelays) {
  WorkloadSettings s = Parse({});
  EXPECT_EQ(s.email_delay, Milliseconds(500));
  EXPECT_EQ(s.payment_gateway_delay, Milliseconds(2000));
  EXPECT_EQ(s.search_reindex_delay, Milliseconds(100));
  EXPECT_EQ(s.cache_invalidation_delay, Milliseconds(50));
  EXPECT_EQ(s.analytics_log_delay, Milliseconds(50));
  EXPECT_EQ(s.report_cpu_time, Milliseconds(10000));
  EXPECT_EQ(s.saga_payment_delay, Milliseconds(500));
  EXPECT_DOUBLE_EQ(s.payment_failure_rate, 1.0);
  EXPECT_TRUE(s.write_clicks);
}

TEST(WorkloadSettings, FlagsSetEveryValue) {
  WorkloadSettings s = Parse({"--email-delay-ms", "5", "--payment-gateway-delay-ms", "6",
                              "--search-reindex-delay-ms", "7", "--cache-invalidation-delay-ms",
                              "8", "--analytics-log-delay-ms", "9", "--report-cpu-time-ms", "10",
                              "--saga-payment-delay-ms", "11", "--payment-failure-rate", "0.25",
                              "--write-clicks", "false"});
  EXPECT_EQ(s.email_delay, Milliseconds(5));
  EXPECT_EQ(s.payment_gateway_delay, Milliseconds(6));
  EXPECT_EQ(s.search_reindex_delay, Milliseconds(7));
  EXPECT_EQ(s.cache_invalidation_delay, Milliseconds(8));
  EXPECT_EQ(s.analytics_log_delay, Milliseconds(9));
  EXPECT_EQ(s.report_cpu_time, Milliseconds(10));
  EXPECT_EQ(s.saga_payment_delay, Milliseconds(11));
  EXPECT_DOUBLE_EQ(s.payment_failure_rate, 0.25);
  EXPECT_FALSE(s.write_clicks);
}

TEST(WorkloadSettings, EnvironmentIsReadAndAFlagWinsOverIt) {
  ::setenv("FLOWBENCH_EMAIL_DELAY_MS", "42", 1);
  ::setenv("FLOWBENCH_PAYMENT_FAILURE_RATE", "0.5", 1);
  WorkloadSettings from_env = Parse({});
  WorkloadSettings from_flag = Parse({"--email-delay-ms", "7"});
  ::unsetenv("FLOWBENCH_EMAIL_DELAY_MS");
  ::unsetenv("FLOWBENCH_PAYMENT_FAILURE_RATE");
  EXPECT_EQ(from_env.email_delay, Milliseconds(42));
  EXPECT_DOUBLE_EQ(from_env.payment_failure_rate, 0.5);
  EXPECT_EQ(from_flag.email_delay, Milliseconds(7));
}

TEST(WorkloadSettings, OutOfRangeValuesAreRejected) {
  EXPECT_THROW(Parse({"--payment-failure-rate", "1.5"}), CLI::ValidationError);
  EXPECT_THROW(Parse({"--email-delay-ms", "-1"}), CLI::ParseError);
  EXPECT_THROW(Parse({"--email-delay-ms", "soon"}), CLI::ParseError);
}

TEST(WorkloadSettings, JsonRoundTripKeepsEveryValue) {
  WorkloadSettings s = Parse({"--email-delay-ms", "1", "--report-cpu-time-ms", "20",
                              "--payment-failure-rate", "0.3", "--write-clicks", "false"});
  boost::json::object json = ToJson(s);
  EXPECT_EQ(json.at("email_delay_ms").as_int64(), 1);
  EXPECT_EQ(json.at("report_cpu_time_ms").as_int64(), 20);
  EXPECT_EQ(WorkloadSettingsFromJson(json), s);
}

TEST(WorkloadSettings, ArgsReproduceTheSettingsInAnotherProcess) {
  WorkloadSettings s = Parse(
      {"--email-delay-ms", "3", "--payment-failure-rate", "0.125", "--write-clicks", "false"});
  EXPECT_EQ(Parse(ToArgs(s)), s);
}

TEST(WorkloadSettings, JsonWithUnknownKeyOrWrongTypeIsRejected) {
  boost::json::object unknown = ToJson(WorkloadSettings{});
  unknown["email_delay"] = 5;
  EXPECT_THROW(WorkloadSettingsFromJson(unknown), ClientError);
  boost::json::object mistyped = ToJson(WorkloadSettings{});
  mistyped["email_delay_ms"] = "500";
  EXPECT_THROW(WorkloadSettingsFromJson(mistyped), ClientError);
}

}  // namespace
}  // namespace flowbench
