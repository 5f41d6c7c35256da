// The knee rule of a mix against a fake probe whose scenarios break at known scales: no
// servers, the logic alone.
#include "bench/sweep/mix_search.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flowbench::sweep {
namespace {

// Each scenario passes the answer test up to its own scale and the work test up to another.
struct Breaking {
  double answer_scale, work_scale;
};

MixProbe MixOf(const std::map<std::string, Breaking>& scenarios, std::vector<double>* scales) {
  return [scenarios, scales](double scale, const std::string&, bool) {
    scales->push_back(scale);
    MixStepOutcome step;
    for (const auto& [id, breaks] : scenarios) {
      step.scenarios.push_back(
          {id, StepOutcome{scale <= breaks.answer_scale, scale <= breaks.work_scale}});
    }
    return step;
  };
}

TEST(MixKnees, TheKneeIsWhereTheFirstScenarioBreaksAndTheReportNamesIt) {
  std::vector<double> scales;
  // The report's work stops keeping up first (x0.3), the payments' answers first (x5).
  MixKneeSearch found =
      SearchMixKnees({0.1, 2, 1000, 1.1, 8, true}, MixOf({{"scenario1", {40, 30}},
                                                          {"scenario2", {5, 30}},
                                                          {"scenario4", {100, 0.3}},
                                                          {"scenario6", {20, 25}}},
                                                         &scales));
  ASSERT_TRUE(found.search.answer_knee && found.search.answer_failed_at);
  EXPECT_LE(*found.search.answer_knee, 5);
  EXPECT_GT(*found.search.answer_failed_at, 5);
  EXPECT_LE(*found.search.answer_failed_at / *found.search.answer_knee, 1.1);
  EXPECT_EQ(found.answer_broke_first, std::vector<std::string>{"scenario2"});

  ASSERT_TRUE(found.search.sustainable && found.search.sustainable_failed_at);
  EXPECT_LE(*found.search.sustainable, 0.3);
  EXPECT_GT(*found.search.sustainable_failed_at, 0.3);
  EXPECT_EQ(found.sustainable_broke_first, std::vector<std::string>{"scenario4"});
  EXPECT_EQ(found.search.sustainable_bound, "found");
  // The search's words speak of scales, not rates: the mix passed both knees at x25.6.
  EXPECT_EQ(found.search.stop_reason.rfind("both knees passed at x25.6; ", 0), 0u)
      << found.search.stop_reason;
  EXPECT_NE(found.search.stop_reason.find("answers broke first: scenario2"), std::string::npos)
      << found.search.stop_reason;
  EXPECT_NE(found.search.stop_reason.find("work broke first: scenario4"), std::string::npos)
      << found.search.stop_reason;
  EXPECT_EQ(found.search.steps, static_cast<int>(scales.size()));
}

TEST(MixKnees, ScenariosBreakingAtTheSameScaleAreAllNamed) {
  std::vector<double> scales;
  MixKneeSearch found = SearchMixKnees(
      {1, 4, 64, 4, 0},
      MixOf({{"scenario1", {2, 100}}, {"scenario3", {3, 100}}, {"scenario5", {50, 100}}}, &scales));
  // 1 passes, 4 fails for scenarios 1 and 3 alike: both broke first.
  EXPECT_EQ(found.search.answer_knee, 1);
  EXPECT_EQ(found.search.answer_failed_at, 4);
  EXPECT_EQ(found.answer_broke_first, (std::vector<std::string>{"scenario1", "scenario3"}));
  EXPECT_EQ(found.search.sustainable_bound, "not-reached-at-max");
  EXPECT_TRUE(found.sustainable_broke_first.empty());
}

TEST(MixKnees, OneScenarioNotJudgedLeavesTheMixNotJudgedUnlessAnotherFailed) {
  MixStepOutcome step;
  step.scenarios = {{"scenario1", {true, true}}, {"scenario4", {std::nullopt, true}}};
  StepOutcome mix = CombineMix(step);
  EXPECT_FALSE(mix.answer_ok.has_value());
  EXPECT_EQ(mix.sustainable_ok, true);

  step.scenarios.push_back({"scenario6", {false, false}});
  mix = CombineMix(step);
  EXPECT_EQ(mix.answer_ok, false);
  EXPECT_EQ(mix.sustainable_ok, false);
}

TEST(MixKnees, AnInterruptedScenarioInterruptsTheMix) {
  MixStepOutcome step;
  step.scenarios = {{"scenario1", {true, true}}, {"scenario2", {true, true, true}}};
  EXPECT_TRUE(CombineMix(step).interrupted);
  MixStepOutcome nothing;
  nothing.interrupted = true;
  StepOutcome mix = CombineMix(nothing);
  EXPECT_TRUE(mix.interrupted);
  EXPECT_FALSE(mix.answer_ok.has_value());
}

}  // namespace
}  // namespace flowbench::sweep
