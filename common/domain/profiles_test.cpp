// The load profiles of CONTRACT.md §6.
#include "common/domain/profiles.hpp"

#include <gtest/gtest.h>

#include "common/domain/scenario_ids.hpp"

namespace flowbench {
namespace {

TEST(Profiles, TheContractTableWithTheScriptsUnderOtherNames) {
  const Profile* baseline = FindProfile("baseline");
  ASSERT_NE(baseline, nullptr);
  EXPECT_EQ(baseline->vus, (std::array<int, 5>{2, 2, 2, 1, 2}));
  EXPECT_EQ(baseline->click_rate, 50);
  EXPECT_EQ(baseline->duration, std::chrono::seconds(120));
  const Profile* stress = FindProfile("stress");
  EXPECT_EQ(stress->vus[3], 10);
  EXPECT_EQ(stress->click_rate, 300);
  EXPECT_EQ(stress->duration, std::chrono::seconds(180));
  EXPECT_EQ(FindProfile("study_medium")->click_rate, 100);
  EXPECT_EQ(FindProfile("spike"), nullptr);
  EXPECT_EQ(ThinkTime(scenario::kReportJob), std::chrono::milliseconds(2000));
  EXPECT_EQ(ThinkTime(scenario::kEmailOnRegistration), std::chrono::milliseconds(1000));
  EXPECT_EQ(ThinkTime(scenario::kClickBuffering), std::chrono::milliseconds(0));
}

TEST(Profiles, OpenRatesAreTheStudysUsersOverTheirThinkTime) {
  const Profile& baseline = *FindProfile("baseline");
  EXPECT_DOUBLE_EQ(OpenArrivalRate(baseline, "scenario1"), 2.0);
  EXPECT_DOUBLE_EQ(OpenArrivalRate(baseline, "scenario2"), 2.0);
  EXPECT_DOUBLE_EQ(OpenArrivalRate(baseline, "scenario3"), 2.0);
  EXPECT_DOUBLE_EQ(OpenArrivalRate(baseline, "scenario4"), 0.5);  // 1 user, 2 s think time
  EXPECT_DOUBLE_EQ(OpenArrivalRate(baseline, "scenario5"), 2.0);
  EXPECT_DOUBLE_EQ(OpenArrivalRate(baseline, "scenario6"), 50.0);
  EXPECT_DOUBLE_EQ(OpenArrivalRate(*FindProfile("heavy"), "scenario4"), 3.5);
  EXPECT_DOUBLE_EQ(OpenArrivalRate(baseline, "scenario9"), 0.0);
}

}  // namespace
}  // namespace flowbench
