// The knee search against probes of known capacity: no servers, the logic alone.
#include "bench/sweep/knee_search.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace flowbench::sweep {
namespace {

// Passes the answer test up to `answer_capacity` and the sustainable test up to
// `work_capacity`; records every rate it was asked for.
struct CapacityProbe {
  double answer_capacity;
  double work_capacity;
  std::vector<double> rates;
  std::vector<std::string> phases;

  StepProbe Probe() {
    return [this](double rate, const std::string& phase, bool) {
      rates.push_back(rate);
      phases.push_back(phase);
      return StepOutcome{rate <= answer_capacity, rate <= work_capacity};
    };
  }
};

TEST(SearchKnees, FindsBothKneesWithinThePrecision) {
  CapacityProbe capacity{300, 40, {}, {}};
  KneeSearch found = SearchKnees({10, 1.5, 100'000, 1.1, 6}, capacity.Probe());
  ASSERT_TRUE(found.answer_knee);
  ASSERT_TRUE(found.answer_failed_at);
  EXPECT_LE(*found.answer_knee, 300);
  EXPECT_GT(*found.answer_failed_at, 300);
  EXPECT_LE(*found.answer_failed_at / *found.answer_knee, 1.1);
  EXPECT_EQ(found.answer_bound, "found");
  ASSERT_TRUE(found.sustainable);
  EXPECT_LE(*found.sustainable, 40);
  EXPECT_GT(*found.sustainable_failed_at, 40);
  EXPECT_LE(*found.sustainable_failed_at / *found.sustainable, 1.1);
  EXPECT_EQ(found.sustainable_bound, "found");
  EXPECT_EQ(found.steps, static_cast<int>(capacity.rates.size()));
}

TEST(SearchKnees, StepsGrowOnceTheFirstKneeIsPassed) {
  CapacityProbe capacity{10'000, 20, {}, {}};
  SearchKnees({10, 1.5, 100'000, 1.1, 6}, capacity.Probe());
  // 10, 15, 22.5 (sustainable fails) then x2.25, x5.06, ...: far fewer steps than 1.5 each.
  std::vector<double> discovered;
  for (std::size_t i = 0; i < capacity.rates.size(); ++i) {
    if (capacity.phases[i] == "discover") discovered.push_back(capacity.rates[i]);
  }
  ASSERT_GE(discovered.size(), 5U);
  EXPECT_DOUBLE_EQ(discovered[3], 22.5 * 2.25);
  EXPECT_DOUBLE_EQ(discovered[4], 22.5 * 2.25 * 2.25 * 2.25);
  EXPECT_LT(discovered.size(), 12U);  // 10 -> 10,000 at x1.5 alone would take 18
}

TEST(SearchKnees, StopsAtMaxAndSaysTheKneeWasNotReached) {
  CapacityProbe capacity{1e9, 1e9, {}, {}};
  KneeSearch found = SearchKnees({10, 2, 100, 1.1, 6}, capacity.Probe());
  EXPECT_EQ(capacity.rates.back(), 100);
  for (double r : capacity.rates) EXPECT_LE(r, 100);
  EXPECT_EQ(found.answer_bound, "not-reached-at-max");
  EXPECT_EQ(found.sustainable_bound, "not-reached-at-max");
  EXPECT_EQ(found.answer_knee, 100);
  EXPECT_NE(found.stop_reason.find("--max"), std::string::npos);
}

TEST(SearchKnees, StopsWhenTheGeneratorCannotKeepItsScheduleAndSaysWhy) {
  std::vector<double> rates;
  // Past 70/s the generator falls behind: the answers would have passed, but cannot say so.
  auto probe = [&](double rate, const std::string&, bool) {
    rates.push_back(rate);
    StepOutcome o{rate < 70 ? std::optional<bool>(true) : std::nullopt, rate < 30};
    o.generator_late = rate >= 70;
    return o;
  };
  KneeSearch found = SearchKnees({10, 2, 10'000, 1.1, 6}, probe);
  // 10, 20, 40 (the sustainable test fails), then x4: 160, where the generator fails.
  EXPECT_EQ(rates, (std::vector<double>{10, 20, 40, 160}));
  EXPECT_EQ(found.answer_bound, "generator-invalid");
  EXPECT_EQ(found.answer_knee, 40);
  EXPECT_EQ(found.sustainable_bound, "found");
  EXPECT_NE(found.stop_reason.find("generator"), std::string::npos);
}

TEST(SearchKnees, AGeneratorBehindPastAKneeAlreadyPassedDoesNotStopTheSearch) {
  // The work falls behind from 20/s; from 100/s the generator is late, so the sustainable
  // test cannot be judged there, but that knee is behind by then: the answer knee (400/s) is
  // still found.
  std::vector<std::pair<double, bool>> judged;  // rate, judge_work
  auto probe = [&](double rate, const std::string&, bool judge_work) {
    judged.emplace_back(rate, judge_work);
    StepOutcome o;
    o.answer_ok = rate < 400;
    o.sustainable_ok = rate >= 100 ? std::nullopt : std::optional<bool>(rate < 20);
    return o;
  };
  KneeSearch found = SearchKnees({10, 2, 100'000, 1.1, 6}, probe);
  EXPECT_EQ(found.answer_bound, "found");
  EXPECT_EQ(found.sustainable_bound, "found");
  ASSERT_TRUE(found.answer_knee);
  EXPECT_LT(*found.answer_knee, 400);
  EXPECT_GE(*found.answer_failed_at, 400);
  // Steps above the rate where the work failed were told not to wait for their drain.
  for (const auto& [rate, judge_work] : judged) EXPECT_EQ(judge_work, rate <= 20) << rate;
}

TEST(SearchKnees, AStepWithNoRequestDueStopsTheSearchAndSaysSo) {
  auto probe = [](double rate, const std::string&, bool) {
    return rate < 1 ? StepOutcome{true, true} : StepOutcome{};  // nothing judged from 1/s
  };
  KneeSearch found = SearchKnees({0.25, 2, 100, 1.1, 6}, probe);
  EXPECT_EQ(found.answer_bound, "not-judged");
  EXPECT_EQ(found.answer_knee, 0.5);
  EXPECT_NE(found.stop_reason.find("no request was due"), std::string::npos) << found.stop_reason;
}

TEST(SearchKnees, AKneeBelowTheFirstRateIsSaidToBe) {
  CapacityProbe capacity{5, 5, {}, {}};
  KneeSearch found = SearchKnees({10, 1.5, 1000, 1.1, 6}, capacity.Probe());
  EXPECT_FALSE(found.answer_knee);
  EXPECT_EQ(found.answer_bound, "below-from");
  EXPECT_EQ(found.sustainable_bound, "below-from");
  EXPECT_EQ(capacity.rates.size(), 1U);
}

TEST(SearchKnees, InterruptionEndsTheSearchAtOnce) {
  int calls = 0;
  auto probe = [&](double, const std::string&, bool) {
    ++calls;
    return StepOutcome{true, true, calls == 3};
  };
  KneeSearch found = SearchKnees({1, 2, 1000, 1.1, 6}, probe);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(found.answer_bound, "interrupted");
  EXPECT_EQ(found.answer_knee, 2);
}

TEST(SearchKnees, AFailureBelowALaterPassStands) {
  // Noise: 15/s fails, 22.5/s passes; the knee stays below 15/s.
  auto probe = [](double rate, const std::string&, bool) {
    bool ok = rate < 12 || (rate > 20 && rate < 30);
    return StepOutcome{ok, ok};
  };
  KneeSearch found = SearchKnees({10, 1.5, 1000, 1.1, 6}, probe);
  ASSERT_TRUE(found.answer_failed_at);
  EXPECT_LE(*found.answer_failed_at, 15);
  ASSERT_TRUE(found.answer_knee);
  EXPECT_LT(*found.answer_knee, 15);
}

TEST(SearchKnees, RefusesARangeThatCannotBeSearched) {
  CapacityProbe capacity{1, 1, {}, {}};
  EXPECT_THROW(SearchKnees({0, 1.5, 10, 1.1, 6}, capacity.Probe()), std::invalid_argument);
  EXPECT_THROW(SearchKnees({1, 1, 10, 1.1, 6}, capacity.Probe()), std::invalid_argument);
  EXPECT_THROW(SearchKnees({10, 1.5, 5, 1.1, 6}, capacity.Probe()), std::invalid_argument);
  EXPECT_TRUE(capacity.rates.empty());
}

}  // namespace
}  // namespace flowbench::sweep
