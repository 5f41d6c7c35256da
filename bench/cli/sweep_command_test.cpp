// `flowbench sweep` end to end, as a user runs it: the real binary starts its own PostgreSQL
// and RabbitMQ, measures the physical limits, sweeps two scenarios on both builds quickly and
// writes every output; a mix of a profile's six scenarios likewise; Ctrl-C keeps the steps
// measured so far.
#include <gtest/gtest.h>

#include "bench/cli/cli_testing.hpp"
#include "bench/sweep/sweep_results.hpp"
#include "common/domain/profiles.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using cli::testing::Concat;
using cli::testing::Flowbench;
using cli::testing::kQuickWorkload;

class SweepCommand : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("flowbench-sweep"); }
  void TearDown() override {
    Flowbench({"infra", "down", "--state-dir", (dir_ / "state").string()},
              std::chrono::seconds(60));
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(SweepCommand, AQuickSweepOfTwoScenariosOnBothBuildsWritesEveryOutput) {
  fs::path out = dir_ / "sweep";
  // From 50/s, x4 a step, at most 400/s: 50, 200, 400 at most per build and scenario.
  infra::CommandResult sweep =
      Flowbench(Concat({"sweep", "--quick", "--state-dir", (dir_ / "state").string(), "--out",
                        out.string(), "--scenario", "scenario1,scenario6", "--from", "50", "--max",
                        "400", "--limit-duration", "1s"},
                       kQuickWorkload),
                std::chrono::seconds(400));
  ASSERT_EQ(sweep.exit_code, 0) << sweep.output;
  for (const char* name : {"sweep.json", "sweep.md", "sweep.html"}) {
    EXPECT_TRUE(fs::exists(out / name)) << name;
  }
  sweep::SweepResults results = sweep::LoadSweep((out / "sweep.json").string());
  EXPECT_FALSE(results.interrupted);
  ASSERT_EQ(results.limits.size(), 3u);
  for (const sweep::PhysicalLimit& l : results.limits) EXPECT_GT(l.rps, 0) << l.name;
  ASSERT_EQ(results.knees.size(), 4u);
  for (const sweep::Knees& k : results.knees) {
    SCOPED_TRACE(k.arch + " " + k.scenario);
    EXPECT_FALSE(k.stop_reason.empty());
    EXPECT_TRUE(k.limit_rps.has_value());
    EXPECT_NE(k.answer_bound, "interrupted");
    EXPECT_NE(k.sustainable_bound, "interrupted");
    if (k.answer_bound == "not-reached-at-max") {
      EXPECT_EQ(k.answer_knee_rps, 400) << "a knee not reached is the highest rate that passed";
      EXPECT_NE(k.stop_reason.find("--max"), std::string::npos) << k.stop_reason;
    }
  }
  // The clicks' limit is the broker's for the async build and the database's for the sync one.
  EXPECT_EQ(results.KneesOf("async", "scenario6")->limit_source, "broker");
  EXPECT_EQ(results.KneesOf("sync", "scenario6")->limit_source, "database");

  ASSERT_GE(results.steps.size(), 4u);
  for (const sweep::SweepStep& s : results.steps) {
    SCOPED_TRACE(s.arch + " " + s.scenario + " " + std::to_string(s.offered_rps));
    EXPECT_GE(s.offered_rps, 50);
    EXPECT_LE(s.offered_rps, 400);
    EXPECT_GT(s.scheduled, 0u);
    // The window: long enough for five reports (the scarcest) to be due on average, at
    // least --quick's two seconds: 5 s at x2 (a report a second), 2 s at x8.
    EXPECT_NEAR(s.duration_s, *s.scale == 2 ? 5 : 2, 0.1);
    EXPECT_EQ(s.backlog.size(), *s.scale == 2 ? 5u : 2u) << "one sample per second of the window";
    ASSERT_TRUE(s.generator.has_value());
    EXPECT_GT(s.cpu_ms_per_request, 0);
    if (s.answer_ok) {
      EXPECT_LE(s.answer.p99, 0.200 + (s.arch == "sync" ? 0.020 : 0));
    }
  }
  // `flowbench report` makes the same reports again from sweep.json.
  fs::remove(out / "sweep.md");
  infra::CommandResult report = Flowbench({"report", out.string()}, std::chrono::seconds(30));
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_TRUE(fs::exists(out / "sweep.md"));
}

TEST_F(SweepCommand, AQuickMixSweepOfTheSmokeProfileOnBothBuildsWritesEveryOutput) {
  fs::path out = dir_ / "mix";
  // Scales x2 and x8 of smoke (9.5 req/s in all at x1): 19 and 76 req/s over six scenarios.
  infra::CommandResult sweep = Flowbench(
      Concat({"sweep", "--quick", "--mix", "smoke", "--state-dir", (dir_ / "state").string(),
              "--out", out.string(), "--from", "2", "--max", "8", "--no-limits"},
             kQuickWorkload),
      std::chrono::seconds(300));
  ASSERT_EQ(sweep.exit_code, 0) << sweep.output;
  for (const char* name : {"sweep.json", "sweep.md", "sweep.html"}) {
    EXPECT_TRUE(fs::exists(out / name)) << name;
  }
  sweep::SweepResults results = sweep::LoadSweep((out / "sweep.json").string());
  EXPECT_TRUE(results.IsMix());
  const Profile& smoke = *FindProfile("smoke");
  ASSERT_EQ(results.knees.size(), 2u);
  for (const char* arch : {"sync", "async"}) {
    SCOPED_TRACE(arch);
    const sweep::Knees* k = results.KneesOf(arch, "mix:smoke");
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->mix, "smoke");
    EXPECT_NE(k->answer_bound, "interrupted");
    EXPECT_NE(k->sustainable_bound, "interrupted");
    // A knee's rate is the total offered at its scale.
    if (k->answer_knee_scale) {
      EXPECT_DOUBLE_EQ(*k->answer_knee_rps, 9.5 * *k->answer_knee_scale);
    }
    if (k->sustainable_scale) {
      EXPECT_DOUBLE_EQ(*k->sustainable_rps, 9.5 * *k->sustainable_scale);
    }
    // A knee found was passed by a scenario failing: the knee names it.
    EXPECT_EQ(k->answer_bound == "found" || k->answer_bound == "below-from",
              !k->answer_broke_first.empty());
    EXPECT_EQ(k->sustainable_bound == "found" || k->sustainable_bound == "below-from",
              !k->sustainable_broke_first.empty());
  }
  ASSERT_GE(results.steps.size(), 2u);
  for (const sweep::SweepStep& s : results.steps) {
    SCOPED_TRACE(s.arch + " " + s.scenario + " x" + std::to_string(s.scale.value_or(0)));
    EXPECT_EQ(s.scenario, "mix:smoke");
    EXPECT_EQ(s.mix, "smoke");
    ASSERT_TRUE(s.scale.has_value());
    EXPECT_TRUE(*s.scale == 2 || *s.scale == 8);
    ASSERT_EQ(s.scenarios.size(), 6u) << "all six scenarios in every step";
    std::uint64_t scheduled = 0, answered = 0, errors = 0, latencies = 0;
    double offered = 0;
    bool all_answer_ok = true, all_sustainable_ok = true;
    for (const sweep::SweepStep& scenario : s.scenarios) {
      SCOPED_TRACE(scenario.scenario);
      EXPECT_DOUBLE_EQ(scenario.offered_rps, *s.scale * OpenArrivalRate(smoke, scenario.scenario));
      EXPECT_GT(scenario.scheduled, 0u);
      EXPECT_TRUE(scenario.mix.empty());
      scheduled += scenario.scheduled;
      answered += scenario.answered;
      errors += scenario.errors;
      latencies += scenario.answer.count;
      offered += scenario.offered_rps;
      all_answer_ok = all_answer_ok && scenario.answer_ok;
      all_sustainable_ok = all_sustainable_ok && scenario.sustainable_ok;
    }
    EXPECT_EQ(s.scheduled, scheduled);
    EXPECT_EQ(s.answered, answered);
    EXPECT_EQ(s.errors, errors);
    EXPECT_DOUBLE_EQ(s.offered_rps, offered);
    EXPECT_EQ(s.answer.count, latencies) << "the totals' answer percentiles are of every request";
    EXPECT_EQ(s.answer_ok, all_answer_ok);
    EXPECT_EQ(s.sustainable_ok, all_sustainable_ok);
    // The window: long enough for five reports (the scarcest) to be due on average, at
    // least --quick's two seconds: 5 s at x2 (a report a second), 2 s at x8.
    EXPECT_NEAR(s.duration_s, *s.scale == 2 ? 5 : 2, 0.1);
    EXPECT_EQ(s.backlog.size(), *s.scale == 2 ? 5u : 2u) << "one sample per second of the window";
    ASSERT_TRUE(s.generator.has_value());
  }
  // `flowbench report` makes the same reports again; `flowbench compare` lines up two mixes.
  fs::remove(out / "sweep.md");
  infra::CommandResult report = Flowbench({"report", out.string()}, std::chrono::seconds(30));
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(cli::testing::ReadFile(out / "sweep.md").find("Each scenario within each step"),
            std::string::npos);
  infra::CommandResult compare =
      Flowbench({"compare", out.string(), (out / "sweep.json").string()}, std::chrono::seconds(30));
  EXPECT_EQ(compare.exit_code, 0) << compare.output;
  EXPECT_NE(compare.output.find("| async | mix:smoke |"), std::string::npos) << compare.output;
}

TEST_F(SweepCommand, CtrlCKeepsTheStepsMeasuredAndLeavesNothingRunning) {
  fs::path out = dir_ / "sweep";
  fs::path state = dir_ / "state";
  cli::testing::BackgroundFlowbench sweep(
      Concat({"sweep", "--state-dir", state.string(), "--out", out.string(), "--arch", "sync",
              "--scenario", "scenario6", "--from", "100", "--step-duration", "60s", "--no-limits"},
             kQuickWorkload),
      dir_ / "output.txt");
  ASSERT_TRUE(sweep.WaitForOutput("[sync scenario6 at 100/s 1/1] load", std::chrono::seconds(120)))
      << "the first step never started:\n"
      << sweep.Output();
  std::optional<infra::InfraState> infra = infra::LoadInfraState(state);
  ASSERT_TRUE(infra && infra->postgres && infra->rabbitmq) << sweep.Output();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  sweep.PressCtrlC();
  std::optional<cli::testing::ExitStatus> status = sweep.WaitForExit(std::chrono::seconds(60));
  ASSERT_TRUE(status) << "still running a minute after Ctrl-C:\n" << sweep.Output();
  EXPECT_EQ(status->exit_code, 130) << status->Describe() << "\n" << sweep.Output();
  EXPECT_NE(sweep.Output().find("Interrupted: what was measured is saved."), std::string::npos)
      << sweep.Output();

  sweep::SweepResults results = sweep::LoadSweep((out / "sweep.json").string());
  EXPECT_TRUE(results.interrupted);
  ASSERT_EQ(results.steps.size(), 1u);
  EXPECT_TRUE(results.steps[0].interrupted);
  EXPECT_GT(results.steps[0].answered, 0u);
  ASSERT_EQ(results.knees.size(), 1u);
  EXPECT_EQ(results.knees[0].answer_bound, "interrupted");
  EXPECT_TRUE(fs::exists(out / "sweep.html"));
  // The embedded servers it started are stopped.
  EXPECT_FALSE(infra::LoadInfraState(state)) << sweep.Output();
}

}  // namespace
}  // namespace flowbench
