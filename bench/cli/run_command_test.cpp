// `flowbench run` end to end, as a user runs it: the real binary starts its own PostgreSQL
// and RabbitMQ and both builds, drives every scenario briefly (delays shortened), drains,
// and writes every output with real counts and no failed check; a Ctrl-C in the middle
// stops it early with what was measured, and leaves nothing running.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/cli/cli_testing.hpp"
#include "bench/report/results.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using cli::testing::Concat;
using cli::testing::Flowbench;
using cli::testing::kQuickWorkload;

class RunCommand : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("flowbench-run"); }
  void TearDown() override {
    Flowbench({"infra", "down", "--state-dir", (dir_ / "state").string()},
              std::chrono::seconds(60));
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(RunCommand, ShortRunOfEveryScenarioOnBothBuildsWritesEveryOutput) {
  fs::path out = dir_ / "results";
  infra::CommandResult run =
      Flowbench(Concat({"run", "--state-dir", (dir_ / "state").string(), "--out", out.string(),
                        "--profile", "smoke", "--duration", "6s", "--warmup", "2",
                        "--drain-timeout", "60", "--threshold", "scenario6:p95<5s"},
                       kQuickWorkload),
                std::chrono::seconds(240));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("Report: " + (out / "report.md").string()), std::string::npos)
      << run.output;
  for (const char* name : {"results.json", "report.md", "report.html", "results.csv",
                           "k6-summary-sync-smoke-1.json", "k6-summary-async-smoke-1.json"}) {
    EXPECT_TRUE(fs::exists(out / name)) << name;
  }

  report::RunResults results = report::LoadResults((out / "results.json").string());
  ASSERT_EQ(results.runs.size(), 2u);
  for (const report::ProfileRun& r : results.runs) {
    SCOPED_TRACE(r.arch);
    EXPECT_TRUE(r.drained) << "accepted work still pending after the drain timeout";
    ASSERT_EQ(r.scenarios.size(), 6u);
    for (const report::ScenarioResult& s : r.scenarios) {
      SCOPED_TRACE(s.scenario);
      EXPECT_GT(s.requests, 0u);
      EXPECT_EQ(s.errors.Total(), 0u)
          << "connect " << s.errors.connect << " timeout " << s.errors.timeout << " status "
          << s.errors.status << " check " << s.errors.check;
      EXPECT_EQ(s.offered.model, "open");
      EXPECT_GT(s.offered.scheduled, 0u);
      // Every accepted request's work was recorded as finished, exactly once.
      EXPECT_EQ(s.completion_source, "per-request");
      ASSERT_TRUE(s.outcomes.has_value());
      EXPECT_EQ(s.outcomes->accepted, s.requests);
      EXPECT_EQ(s.outcomes->done + s.outcomes->compensated + s.outcomes->failed,
                s.outcomes->accepted);
      EXPECT_EQ(s.outcomes->lost + s.outcomes->unfinished + s.outcomes->duplicated, 0u);
      ASSERT_TRUE(s.completion.has_value()) << "no completion joined";
      EXPECT_EQ(s.completion->count, s.outcomes->done + s.outcomes->compensated);
      EXPECT_FALSE(s.completion_lower_bound);
      EXPECT_GT(s.latency.p50, 0.0);
      EXPECT_EQ(s.timeseries.size(), 6u);
    }
    ASSERT_TRUE(r.generator.has_value());
    EXPECT_TRUE(r.generator->valid) << r.generator->problems.size();
    EXPECT_EQ(r.warmup_seconds, 2.0);
    EXPECT_GT(r.overall.count, 0u);
    ASSERT_EQ(r.resources.size(), 10u);
    double cpu = 0;
    for (const report::ServiceResources& s : r.resources) cpu += s.cpu_seconds;
    EXPECT_GT(cpu, 0.0);
  }
  // Both builds were offered the very same schedule.
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(results.runs[0].scenarios[i].offered.scheduled,
              results.runs[1].scenarios[i].offered.scheduled)
        << results.runs[0].scenarios[i].scenario;
  }
  ASSERT_TRUE(results.design.has_value());
  EXPECT_EQ(results.design->model, "open");
  EXPECT_EQ(results.design->order, (std::vector<std::string>{"sync#1@smoke", "async#1@smoke"}));
  EXPECT_FALSE(results.statistics.empty());
  EXPECT_FALSE(results.runs[1].queues.empty()) << "the async run sampled no queue";
  EXPECT_TRUE(results.runs[0].queues.empty()) << "the sync build has no queues";
  // The settings as all ten services of each build reported them, the same work in both.
  const boost::json::object& in_force = results.settings.at("in_force").as_object();
  for (const char* arch : {"sync", "async"}) {
    SCOPED_TRACE(arch);
    ASSERT_TRUE(in_force.contains(arch)) << boost::json::serialize(in_force);
    EXPECT_EQ(in_force.at(arch).at("reported_by"), 10) << boost::json::serialize(in_force);
    EXPECT_EQ(in_force.at(arch).at("workload").at("email_delay_ms"), 20);
    EXPECT_FALSE(in_force.at(arch).as_object().contains("exceptions"));
  }
  EXPECT_TRUE(in_force.at("async").at("transport").at("publish_confirm").as_bool());
  EXPECT_EQ(results.settings.at("same_workload"), true);
  EXPECT_NE(cli::testing::ReadFile(out / "report.md").find("reported **the same workload**"),
            std::string::npos);
  EXPECT_FALSE(results.interrupted);
  EXPECT_FALSE(fs::exists(dir_ / "state" / "infra.json"))
      << "the embedded servers this run started are still recorded as running";
}

TEST_F(RunCommand, CtrlCStopsTheLoadEarlyWritesWhatWasMeasuredAndLeavesNothingRunning) {
  fs::path out = dir_ / "results";
  fs::path state = dir_ / "state";
  // Both builds asked for, a minute of load each after a 1 s warm-up: the Ctrl-C comes during
  // the sync build's measured window. The closed model (the study's virtual users) this time.
  cli::testing::BackgroundFlowbench run(
      Concat({"run", "--state-dir", state.string(), "--out", out.string(), "--arch", "sync,async",
              "--profile", "smoke", "--scenario", "scenario1,scenario6", "--duration", "60s",
              "--warmup", "1", "--model", "closed"},
             kQuickWorkload),
      dir_ / "output.txt");
  ASSERT_TRUE(run.WaitForOutput("[sync smoke 1/1] load", std::chrono::seconds(120)))
      << "the load never started:\n"
      << run.Output();
  // What was started, to check afterwards that it is gone (infra.json goes with it).
  std::optional<infra::InfraState> infra = infra::LoadInfraState(state);
  ASSERT_TRUE(infra && infra->postgres && infra->rabbitmq) << run.Output();
  std::this_thread::sleep_for(std::chrono::seconds(4));  // a few requests answered

  auto interrupted_at = std::chrono::steady_clock::now();
  run.PressCtrlC();
  std::optional<cli::testing::ExitStatus> status = run.WaitForExit(std::chrono::seconds(60));
  double seconds_to_exit =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - interrupted_at).count();
  ASSERT_TRUE(status) << "still running a minute after Ctrl-C:\n" << run.Output();
  EXPECT_EQ(status->exit_code, 130) << status->Describe() << "\n" << run.Output();
  // Stopping the services and the embedded servers it started takes a few seconds (RabbitMQ
  // ~8 s); the planned minute of load per build does not run out.
  EXPECT_LT(seconds_to_exit, 30) << run.Output();
  std::string output = run.Output();
  EXPECT_NE(output.find("Interrupted: what was measured is saved."), std::string::npos) << output;
  EXPECT_EQ(output.find("[async"), std::string::npos) << "the async build ran after Ctrl-C";

  report::RunResults results = report::LoadResults((out / "results.json").string());
  EXPECT_TRUE(results.interrupted);
  ASSERT_EQ(results.runs.size(), 1u) << "only the sync run, which was cut short";
  const report::ProfileRun& r = results.runs[0];
  EXPECT_EQ(r.arch, "sync");
  EXPECT_TRUE(r.interrupted);
  EXPECT_GT(r.duration_seconds, 1.0);
  EXPECT_LT(r.duration_seconds, 15.0) << "the load went on after Ctrl-C";
  ASSERT_EQ(r.scenarios.size(), 2u);
  for (const report::ScenarioResult& s : r.scenarios) {
    SCOPED_TRACE(s.scenario);
    EXPECT_GT(s.requests, 0u);
    EXPECT_GT(s.latency.p50, 0.0);
  }
  // Closed: scenario 1's one virtual user; the clicks stay an arrival rate, as in the study.
  EXPECT_EQ(r.scenarios[0].offered.model, "closed");
  EXPECT_EQ(r.scenarios[0].offered.vus, 1);
  EXPECT_EQ(r.scenarios[0].executor, "constant-vus");
  EXPECT_EQ(r.scenarios[1].offered.model, "open");
  std::string markdown = cli::testing::ReadFile(out / "report.md");
  EXPECT_NE(markdown.find("Interrupted (Ctrl-C): sync / smoke / repeat 1 was stopped after"),
            std::string::npos)
      << markdown;
  EXPECT_TRUE(fs::exists(out / "report.html"));

  // Nothing left: no service (their command lines name this PostgreSQL), no server (theirs
  // name this state directory), not the private epmd.
  EXPECT_EQ(cli::testing::ProcessesMentioning(infra->pg_url), std::vector<std::string>{});
  EXPECT_EQ(cli::testing::ProcessesMentioning(state.string()), std::vector<std::string>{});
  EXPECT_FALSE(infra::IsAlive(infra->postgres->pid)) << "PostgreSQL";
  EXPECT_FALSE(infra::IsAlive(infra->rabbitmq->pid)) << "RabbitMQ";
  EXPECT_FALSE(infra::IsAlive(infra->rabbitmq->epmd_pid)) << "epmd";
  EXPECT_FALSE(fs::exists(state / "infra.json"));
}

TEST_F(RunCommand, BadArgumentsAreClearErrorsBeforeAnythingStarts) {
  infra::CommandResult profile =
      Flowbench({"run", "--state-dir", (dir_ / "state").string(), "--profile", "nope"},
                std::chrono::seconds(30));
  EXPECT_NE(profile.exit_code, 0);
  EXPECT_NE(profile.output.find("unknown profile 'nope'"), std::string::npos) << profile.output;
  infra::CommandResult scenario =
      Flowbench({"run", "--state-dir", (dir_ / "state").string(), "--scenario", "scenario9"},
                std::chrono::seconds(30));
  EXPECT_NE(scenario.exit_code, 0);
  EXPECT_NE(scenario.output.find("unknown scenario 'scenario9'"), std::string::npos);
  infra::CommandResult threshold =
      Flowbench({"run", "--state-dir", (dir_ / "state").string(), "--threshold", "p95 less than 5"},
                std::chrono::seconds(30));
  EXPECT_NE(threshold.exit_code, 0);
  infra::CommandResult model =
      Flowbench({"run", "--state-dir", (dir_ / "state").string(), "--model", "sideways"},
                std::chrono::seconds(30));
  EXPECT_NE(model.exit_code, 0);
  EXPECT_NE(model.output.find("--model"), std::string::npos) << model.output;
  EXPECT_FALSE(fs::exists(dir_ / "state" / "infra.json")) << "something started anyway";
}

}  // namespace
}  // namespace flowbench
