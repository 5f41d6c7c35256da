// A mix step's verdicts from a run made up here: no servers, the conversion alone.
#include "bench/sweep/step_conversion.hpp"

#include <gtest/gtest.h>

#include <string>

namespace flowbench::sweep {
namespace {

report::ScenarioResult Answered(const std::string& scenario, std::uint64_t unfinished) {
  report::ScenarioResult r;
  r.scenario = scenario;
  r.requests = 20;
  r.offered.scheduled = 20;
  r.latency = {20, 0.01, 0, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01};
  r.completion = r.latency;
  report::Outcomes o;
  o.accepted = 20;
  o.done = 20 - unfinished;
  o.unfinished = unfinished;
  r.outcomes = o;
  return r;
}

MixRange TwoScenarios() {
  MixRange mix;
  mix.profile = "example";
  mix.rates = {{"scenario1", 2}, {"scenario4", 0.5}};
  return mix;
}

std::vector<std::pair<Slo, Slo>> Slos() {
  SloAllowances a;
  return {{a.answer, a.completion}, {a.answer, a.completion}};
}

// The drain is measured once for the whole run; only the scenario whose accepted work was
// still unfinished at its end failed it, and only that one broke first.
TEST(MixStep, OnlyTheScenarioWithUnfinishedWorkFailsTheDrain) {
  run::Measurement m;
  m.run.arch = "async";
  m.run.duration_seconds = 10;
  m.run.drained = false;
  m.run.scenarios = {Answered("scenario1", 0), Answered("scenario4", 3)};
  MixStepOutcome outcome;
  SweepStep step = ToMixStep(m, TwoScenarios(), 1, Slos(), {}, true, outcome);

  ASSERT_EQ(outcome.scenarios.size(), 2u);
  EXPECT_EQ(outcome.scenarios[0].outcome.sustainable_ok, true);
  EXPECT_EQ(outcome.scenarios[1].outcome.sustainable_ok, false);
  EXPECT_TRUE(step.scenarios[0].drained);
  EXPECT_FALSE(step.scenarios[1].drained);
  EXPECT_FALSE(step.drained);  // the run's own figure is kept
  EXPECT_FALSE(step.sustainable_ok);
  for (const std::string& p : step.sustainable_problems) {
    EXPECT_EQ(p.rfind("scenario4: ", 0), 0u) << p;
  }
}

// Without any scenario's own count of unfinished work, the run's drain failure cannot be
// attributed: every scenario fails it.
TEST(MixStep, AnUnattributableDrainTimeoutFailsEveryScenario) {
  run::Measurement m;
  m.run.arch = "sync";
  m.run.duration_seconds = 10;
  m.run.drained = false;
  m.run.scenarios = {Answered("scenario1", 0), Answered("scenario4", 0)};
  for (report::ScenarioResult& s : m.run.scenarios) s.outcomes.reset();
  MixStepOutcome outcome;
  SweepStep step = ToMixStep(m, TwoScenarios(), 1, Slos(), {}, true, outcome);
  ASSERT_EQ(outcome.scenarios.size(), 2u);
  EXPECT_EQ(outcome.scenarios[0].outcome.sustainable_ok, false);
  EXPECT_EQ(outcome.scenarios[1].outcome.sustainable_ok, false);
}

}  // namespace
}  // namespace flowbench::sweep
