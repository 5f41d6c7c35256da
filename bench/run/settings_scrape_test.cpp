// How the driver summarises what each service reported at GET /settings.
#include "bench/run/settings_scrape.hpp"

#include <gtest/gtest.h>

namespace flowbench::run {
namespace {

using Documents = std::vector<std::pair<std::string, std::optional<boost::json::object>>>;

boost::json::object Document(const std::string& service, int prefetch, int email_delay_ms = 500) {
  return {{"service", service},
          {"arch", "async"},
          {"workload", {{"email_delay_ms", email_delay_ms}}},
          {"transport", {{"prefetch", prefetch}}}};
}

TEST(SettingsInForce, AgreeingServicesGiveOneDocumentWithoutTheirNames) {
  boost::json::object summary =
      SummariseSettings({{"user", Document("user", 50)}, {"email", Document("email", 50)}});
  EXPECT_EQ(summary.at("transport").at("prefetch"), 50);
  EXPECT_EQ(summary.at("reported_by"), 2);
  EXPECT_FALSE(summary.contains("service"));
  EXPECT_FALSE(summary.contains("exceptions"));
  EXPECT_FALSE(summary.contains("not_reported"));
}

TEST(SettingsInForce, TheQueueTypeIsTheOneTheAsyncServicesReportInTheirTransport) {
  boost::json::object async =
      SummariseSettings({{"user", boost::json::object{{"transport", {{"queue_type", "quorum"}}}}}});
  EXPECT_EQ(ReportedQueueType({{"sync", boost::json::object{}}, {"async", async}}), "quorum");
  EXPECT_EQ(ReportedQueueType({{"sync", boost::json::object{}}}), std::nullopt) << "no async";
  EXPECT_EQ(ReportedQueueType({{"async", SummariseSettings({{"user", std::nullopt}})}}),
            std::nullopt)
      << "no answer: unknown, not assumed";
}

TEST(SettingsInForce, AServiceWithItsOwnSettingsIsListedAsAnException) {
  boost::json::object summary = SummariseSettings({{"user", Document("user", 50)},
                                                   {"email", Document("email", 5)},
                                                   {"order", Document("order", 50)}});
  EXPECT_EQ(summary.at("transport").at("prefetch"), 50);  // the majority's
  EXPECT_EQ(summary.at("reported_by"), 2);
  ASSERT_TRUE(summary.contains("exceptions"));
  EXPECT_EQ(summary.at("exceptions").at("email").at("transport").at("prefetch"), 5);
  EXPECT_EQ(summary.at("exceptions").as_object().size(), 1u);
}

TEST(SettingsInForce, AServiceThatDoesNotAnswerIsNotReportedRatherThanAssumed) {
  boost::json::object summary =
      SummariseSettings({{"user", Document("user", 50)}, {"email", std::nullopt}});
  EXPECT_EQ(summary.at("reported_by"), 1);
  EXPECT_EQ(summary.at("not_reported"), boost::json::array({"email"}));

  boost::json::object none = SummariseSettings({{"user", std::nullopt}});
  EXPECT_EQ(none.at("reported_by"), 0);
  EXPECT_FALSE(none.contains("workload"));
}

TEST(SettingsInForce, SameWorkloadOnlyWhenEveryBuildAndEveryServiceReportedTheSame) {
  Documents sync_docs{{"user", Document("user", 0)}};
  Documents async_docs{{"user", Document("user", 50)}};
  boost::json::object both{{"sync", SummariseSettings(sync_docs)},
                           {"async", SummariseSettings(async_docs)}};
  EXPECT_TRUE(SameWorkload(both));  // transports differ, the work does not

  Documents slower{{"user", Document("user", 50, 900)}};
  boost::json::object different{{"sync", SummariseSettings(sync_docs)},
                                {"async", SummariseSettings(slower)}};
  EXPECT_FALSE(SameWorkload(different));

  Documents one_differs{{"user", Document("user", 50)},
                        {"order", Document("order", 50)},
                        {"email", Document("email", 50, 900)}};
  boost::json::object exception{{"sync", SummariseSettings(sync_docs)},
                                {"async", SummariseSettings(one_differs)}};
  EXPECT_FALSE(SameWorkload(exception));

  boost::json::object unreported{{"sync", SummariseSettings(sync_docs)},
                                 {"async", SummariseSettings({{"user", std::nullopt}})}};
  EXPECT_FALSE(SameWorkload(unreported));
  EXPECT_FALSE(SameWorkload({}));
}

}  // namespace
}  // namespace flowbench::run
