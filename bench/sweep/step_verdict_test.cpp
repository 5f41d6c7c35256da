#include "bench/sweep/step_verdict.hpp"

#include <gtest/gtest.h>

#include <random>

namespace flowbench::sweep {
namespace {

const Slo kAnswer{"answer", 0.99, 0.200};
const Slo kCompletion{"completion", 0.99, 5.0};

// A step at 100/s that passes both tests: fast answers, flat backlog, all work done.
SweepStep Healthy() {
  SweepStep s;
  s.offered_rps = 100;
  s.scheduled = s.answered = 1000;
  s.answer.count = 1000;
  s.answer.p99 = 0.050;
  s.completion = report::LatencySummary{};
  s.completion->count = 1000;
  s.completion->p99 = 0.600;
  s.outcomes = report::Outcomes{};
  s.outcomes->accepted = s.outcomes->done = 1000;
  s.backlog = {50, 52, 49, 51, 50, 48, 53, 50, 49, 51};
  BacklogSlope slope = SlopeOf(s.backlog);
  s.backlog_slope_per_s = slope.per_s;
  s.backlog_slope_interval = slope.interval;
  s.generator = report::GeneratorAudit{};
  return s;
}

TEST(StepVerdict, AHealthyStepPassesBoth) {
  SweepStep s = Healthy();
  Judge(s, kAnswer, kCompletion);
  EXPECT_TRUE(s.answer_ok);
  EXPECT_TRUE(s.sustainable_ok) << s.sustainable_problems.front();
  EXPECT_TRUE(s.answer_problems.empty());
}

TEST(StepVerdict, ASlowAnswerFailsTheAnswerTestAndSaysByHowMuch) {
  SweepStep s = Healthy();
  s.answer.p99 = 0.412;
  Judge(s, kAnswer, kCompletion);
  EXPECT_FALSE(s.answer_ok);
  EXPECT_TRUE(s.sustainable_ok);
  ASSERT_EQ(s.answer_problems.size(), 1U);
  EXPECT_EQ(s.answer_problems[0], "answer p99 412.0 ms > 200.0 ms");
}

TEST(StepVerdict, AGrowingBacklogFailsTheSustainableTestOnly) {
  SweepStep s = Healthy();
  s.backlog.clear();
  for (int t = 0; t < 10; ++t) s.backlog.push_back(50 + 20 * t);  // +20/s at 100/s offered
  BacklogSlope slope = SlopeOf(s.backlog);
  s.backlog_slope_per_s = slope.per_s;
  s.backlog_slope_interval = slope.interval;
  Judge(s, kAnswer, kCompletion);
  EXPECT_TRUE(s.answer_ok);
  EXPECT_FALSE(s.sustainable_ok);
  EXPECT_EQ(s.sustainable_problems.at(0), "backlog grows 20.00/s > 5.00/s");
}

TEST(StepVerdict, APoissonBacklogThatOnlyWandersIsNotGrowth) {
  // A steady backlog of ~200 (Poisson: it wanders by ~14), ten seconds, twenty seeds.
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::poisson_distribution<int> level(200);
    SweepStep s = Healthy();
    s.backlog.clear();
    for (int t = 0; t < 10; ++t) s.backlog.push_back(static_cast<std::uint64_t>(level(rng)));
    BacklogSlope slope = SlopeOf(s.backlog);
    s.backlog_slope_per_s = slope.per_s;
    s.backlog_slope_interval = slope.interval;
    Judge(s, kAnswer, kCompletion);
    EXPECT_TRUE(s.sustainable_ok) << "seed " << seed << ": " << s.sustainable_problems.at(0);
  }
}

TEST(StepVerdict, LostWorkOrAnUndrainedStepIsNotSustainable) {
  SweepStep s = Healthy();
  s.outcomes->lost = 3;
  s.drained = false;
  Judge(s, kAnswer, kCompletion);
  EXPECT_TRUE(s.answer_ok);
  EXPECT_FALSE(s.sustainable_ok);
  ASSERT_EQ(s.sustainable_problems.size(), 2U);
  EXPECT_EQ(s.sustainable_problems[0], "3 lost and 0 unfinished of 1000 accepted");
  EXPECT_EQ(s.sustainable_problems[1], "did not drain within its bound");
}

TEST(StepVerdict, ErrorsAboveATenthOfAPercentFailBoth) {
  SweepStep s = Healthy();
  s.errors = 2;
  s.error_rate = 0.002;
  Judge(s, kAnswer, kCompletion);
  EXPECT_FALSE(s.answer_ok);
  EXPECT_FALSE(s.sustainable_ok);
  EXPECT_EQ(s.answer_problems.at(0), "errors 0.20 % > 0.10 %");
}

TEST(StepVerdict, AStepWhoseGeneratorFellBehindIsNotJudgedWhereItWouldPass) {
  SweepStep s = Healthy();
  s.generator->send_lag_p99_ms = 42;
  s.answer.p99 = 0.230;  // past 200 ms, but not net of the 42 ms the generator was late
  StepOutcome o = Judge(s, kAnswer, kCompletion);
  EXPECT_FALSE(o.answer_ok);
  EXPECT_FALSE(o.sustainable_ok);
  EXPECT_FALSE(s.answer_ok);
  EXPECT_EQ(s.answer_problems.at(0),
            "not judged: the load generator fell behind its schedule (send lag p99 42.0 ms > "
            "10 ms)");
}

TEST(StepVerdict, AnAnswerFarPastItsSloFailsEvenWithALateGenerator) {
  SweepStep s = Healthy();
  s.generator->send_lag_p99_ms = 42;
  s.answer.p99 = 0.900;
  s.backlog = {10, 30, 50, 70, 90, 110, 130, 150, 170, 190};
  BacklogSlope slope = SlopeOf(s.backlog);
  s.backlog_slope_per_s = slope.per_s;
  s.backlog_slope_interval = slope.interval;
  StepOutcome o = Judge(s, kAnswer, kCompletion);
  ASSERT_TRUE(o.answer_ok);
  EXPECT_FALSE(*o.answer_ok);
  ASSERT_TRUE(o.sustainable_ok);
  EXPECT_FALSE(*o.sustainable_ok);
  EXPECT_EQ(s.answer_problems.at(0),
            "answer p99 900.0 ms > 200.0 ms (858.0 ms net of the generator's lag)");
}

}  // namespace
}  // namespace flowbench::sweep
