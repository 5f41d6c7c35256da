// `flowbench run --target` against a deployment it did not start: both builds started once by
// `flowbench up` (each with a flag only it knows, passed with --sync-arg / --async-arg), then
// driven where they run: completion, queue depths through the management API, CPU and memory
// from the services' own metrics, all recorded as a target run; and a target that is not
// there, or a wrong port, is a clear error before anything runs or is written.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "bench/cli/cli_testing.hpp"
#include "bench/report/results.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/service/launcher.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using cli::testing::Flowbench;

class RunTarget : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing::MakeTempDir("flowbench-target"));
    // The embedded servers first: their six ports are drawn from the same private range,
    // and once they listen the builds' range below cannot overlap them (a CI run once had
    // the async user service find its port taken by one of them).
    infra::CommandResult infra_up =
        Flowbench({"infra", "up", "--state-dir", State().string()}, std::chrono::seconds(120));
    if (infra_up.exit_code != 0) {
      up_ = new infra::CommandResult(infra_up);
      return;
    }
    port_base_ = infra::FindFreePortBase(110);  // sync on +1..+10, async on +101..+110
    up_ = new infra::CommandResult(Flowbench({"up",
                                              "--state-dir",
                                              State().string(),
                                              "--arch",
                                              "both",
                                              "--port-base",
                                              std::to_string(port_base_),
                                              "--sync-arg=--http-threads=12",
                                              "--async-arg=--prefetch=7",
                                              "--email-delay-ms",
                                              "20",
                                              "--search-reindex-delay-ms",
                                              "5",
                                              "--cache-invalidation-delay-ms",
                                              "5",
                                              "--analytics-log-delay-ms",
                                              "5",
                                              "--",
                                              "--db-pool-size",
                                              "3"},
                                             std::chrono::seconds(180)));
  }
  static void TearDownTestSuite() {
    Flowbench({"down", "--state-dir", State().string()}, std::chrono::seconds(120));
    fs::remove_all(*dir_);
    delete up_;
    delete dir_;
  }
  void SetUp() override { ASSERT_EQ(up_->exit_code, 0) << up_->output; }

  static fs::path State() { return *dir_ / "state"; }
  static std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }
  static std::string SyncUrl() { return Url(port_base_ + 1); }
  static std::string AsyncUrl() { return Url(port_base_ + 101); }

  static fs::path* dir_;
  static int port_base_;
  static infra::CommandResult* up_;
};

fs::path* RunTarget::dir_ = nullptr;
int RunTarget::port_base_ = 0;
infra::CommandResult* RunTarget::up_ = nullptr;

bool Contains(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST_F(RunTarget, UpGivesEachBuildOnlyItsOwnPassThroughArgs) {
  for (Arch arch : {Arch::kSync, Arch::kAsync}) {
    SCOPED_TRACE(std::string(ArchName(arch)));
    std::optional<RunningSystem> system = LoadSystem(State(), arch);
    ASSERT_TRUE(system);
    for (const RunningService& s : system->services) {
      SCOPED_TRACE(s.name);
      EXPECT_TRUE(Contains(s.argv, "--db-pool-size") && Contains(s.argv, "3"))
          << "after --: every service";
      EXPECT_EQ(Contains(s.argv, "--http-threads=12"), arch == Arch::kSync);
      EXPECT_EQ(Contains(s.argv, "--prefetch=7"), arch == Arch::kAsync);
    }
    // Each accepted its own flag and was spared the other build's: all ten are healthy.
    for (const ServiceHealth& h : CheckSystem(*system))
      EXPECT_TRUE(h.healthy) << h.name << ": " << h.detail;
  }
}

TEST_F(RunTarget, DrivesADeploymentItDidNotStartAndRecordsItAsATarget) {
  std::optional<infra::InfraState> infra = infra::LoadInfraState(State());
  ASSERT_TRUE(infra);
  std::string management = infra->management_url;  // http://127.0.0.1:PORT
  std::string credentials = infra->rabbitmq->user + ":" + infra->rabbitmq->password;
  management.insert(std::string("http://").size(), credentials + "@");
  fs::path out = *dir_ / "results";
  infra::CommandResult run = Flowbench(
      {"run", "--target", "sync=" + SyncUrl() + ",async=" + AsyncUrl(), "--rabbitmq-management-url",
       management, "--state-dir", (*dir_ / "unused").string(), "--out", out.string(), "--profile",
       "smoke", "--scenario", "scenario1,scenario3,scenario6", "--duration", "5s", "--warmup", "2",
       "--drain-timeout", "60"},
      std::chrono::seconds(180));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(fs::exists(*dir_ / "unused" / "infra.json")) << "a target run started servers";

  report::RunResults results = report::LoadResults((out / "results.json").string());
  ASSERT_EQ(results.runs.size(), 2u);
  for (const report::ProfileRun& r : results.runs) {
    SCOPED_TRACE(r.arch);
    ASSERT_EQ(r.target.size(), 10u);
    EXPECT_EQ(r.target.front(), (std::pair<std::string, std::string>{
                                    "user", r.arch == "sync" ? SyncUrl() : AsyncUrl()}));
    EXPECT_TRUE(r.drained);
    ASSERT_EQ(r.scenarios.size(), 3u);
    for (const report::ScenarioResult& s : r.scenarios) {
      SCOPED_TRACE(s.scenario);
      EXPECT_GT(s.requests, 0u);
      EXPECT_EQ(s.errors.Total(), 0u);
      // Exact completion from the deployment's own completion records, joined to our ids.
      EXPECT_EQ(s.completion_source, "per-request");
      ASSERT_TRUE(s.completion) << "no completion joined from the target's /completions";
      ASSERT_TRUE(s.outcomes);
      EXPECT_EQ(s.outcomes->accepted, s.requests);
      EXPECT_EQ(s.outcomes->done, s.outcomes->accepted);
      EXPECT_EQ(s.completion->count, s.requests);
    }
    EXPECT_TRUE(r.completion_problems.empty()) << r.completion_problems.front();
    // The services' clock, estimated over HTTP: the same machine's clock here, so within a
    // few round trips of zero.
    ASSERT_TRUE(r.clock_offset) << "no clock offset estimated for a --target run";
    EXPECT_LT(std::abs(r.clock_offset->offset_s), 0.05);
    EXPECT_GE(r.clock_offset->uncertainty_s, 0.0);
    // CPU and memory from each service's own process metrics, never from our /proc.
    EXPECT_EQ(r.resources_source, "process-metrics");
    EXPECT_TRUE(r.resources_not_measured.empty());
    ASSERT_EQ(r.resources.size(), 10u);
    double cpu = 0;
    for (const report::ServiceResources& s : r.resources) {
      cpu += s.cpu_seconds;
      EXPECT_GT(s.peak_rss_bytes, 1'000'000u) << s.service;
    }
    EXPECT_GT(cpu, 0.0);
  }
  EXPECT_EQ(results.runs[0].queues_source, "none");
  EXPECT_EQ(results.runs[1].queues_source, "management-api");
  EXPECT_FALSE(results.runs[1].queues.empty()) << "the management API gave no queue depth";
  const boost::json::object& driver = results.settings.at("driver").as_object();
  EXPECT_EQ(driver.at("target").at("async").as_string(), AsyncUrl());
  // The deployment's own settings, as its services reported them (the driver passed none).
  const boost::json::object& in_force = results.settings.at("in_force").as_object();
  EXPECT_EQ(in_force.at("sync").at("reported_by"), 10) << boost::json::serialize(in_force);
  EXPECT_EQ(in_force.at("async").at("reported_by"), 10);
  EXPECT_EQ(in_force.at("sync").at("transport").at("http_threads"), 12);
  EXPECT_EQ(in_force.at("async").at("transport").at("prefetch"), 7);
  EXPECT_EQ(in_force.at("sync").at("database").at("pool_size"), 3);
  EXPECT_EQ(in_force.at("async").at("database").at("pool_size"), 3);
  EXPECT_EQ(results.settings.at("same_workload"), true);
  std::string recorded = boost::json::serialize(results.settings);
  EXPECT_EQ(recorded.find(infra->rabbitmq->password), std::string::npos)
      << "a password in the results";
  EXPECT_NE(std::string(results.versions.at("rabbitmq").as_string()).find('.'), std::string::npos);

  std::string markdown = cli::testing::ReadFile(out / "report.md");
  EXPECT_NE(
      markdown.find("Measured against a deployment flowbench did not start (`--target`): sync at " +
                    SyncUrl()),
      std::string::npos)
      << markdown;

  // Left as it was found: still running, still healthy.
  for (Arch arch : {Arch::kSync, Arch::kAsync}) {
    for (const ServiceHealth& h : CheckSystem(*LoadSystem(State(), arch))) {
      EXPECT_TRUE(h.healthy) << h.name << ": " << h.detail;
    }
  }
}

TEST_F(RunTarget, ATargetThatIsNotThereIsAClearErrorAndNothingIsWritten) {
  int nowhere = infra::FindFreePortBase(10) + 1;
  fs::path out = *dir_ / "never";
  infra::CommandResult missing = Flowbench(
      {"run", "--target", "sync=" + Url(nowhere), "--out", out.string(), "--duration", "3s"},
      std::chrono::seconds(60));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("the --target deployment is not ready; nothing was run"),
            std::string::npos)
      << missing.output;
  EXPECT_NE(missing.output.find("sync-user at " + Url(nowhere) + "/health: no answer"),
            std::string::npos)
      << missing.output;
  EXPECT_FALSE(fs::exists(out)) << "an unreachable target still wrote results";

  // The async build asked for where the sync build answers: caught by who answers.
  infra::CommandResult wrong_port = Flowbench(
      {"run", "--target", "async=" + SyncUrl(), "--out", out.string(), "--duration", "3s"},
      std::chrono::seconds(60));
  EXPECT_NE(wrong_port.exit_code, 0);
  EXPECT_NE(wrong_port.output.find("async-user at " + SyncUrl() +
                                   "/health: answers as sync-user, not async-user (a wrong port?)"),
            std::string::npos)
      << wrong_port.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace flowbench
