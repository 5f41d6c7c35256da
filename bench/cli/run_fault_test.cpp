// `flowbench run --fault` end to end, as a user runs it: the real binary drives both builds
// on the same schedule while it kills, stops or pauses one component at the same moment of
// each build's measured window, brings it back, records the faults in results.json and
// reports them. The embedded servers are started first with `flowbench infra up`, so that
// their health after the run can be read.
//
// What is asserted is what holds today: the run completes and drains, the faults are
// recorded and ended, everything is healthy afterwards, and every accepted request is
// accounted for. How many requests each build loses to a fault is printed, not bounded:
// the builds' resilience is being worked on (the figures are in the report of the change).
#include <gtest/gtest.h>

#include <cstdio>

#include "bench/cli/cli_testing.hpp"
#include "bench/report/results.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using cli::testing::Flowbench;
using cli::testing::kQuickWorkload;

class RunFault : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("flowbench-fault");
    infra::CommandResult up =
        Flowbench({"infra", "up", "--state-dir", State()}, std::chrono::seconds(120));
    ASSERT_EQ(up.exit_code, 0) << up.output;
  }
  void TearDown() override {
    Flowbench({"infra", "down", "--state-dir", State()}, std::chrono::seconds(60));
    fs::remove_all(dir_);
  }
  std::string State() const { return (dir_ / "state").string(); }

  // A short run of scenarios 1, 2 and 6 on both builds with these faults.
  report::RunResults RunWith(const std::vector<std::string>& faults) {
    std::vector<std::string> args = {"run",
                                     "--state-dir",
                                     State(),
                                     "--out",
                                     (dir_ / "results").string(),
                                     "--profile",
                                     "smoke",
                                     "--scenario",
                                     "scenario1,scenario2,scenario6",
                                     "--duration",
                                     "12s",
                                     "--warmup",
                                     "2",
                                     "--drain-timeout",
                                     "45",
                                     "--request-timeout",
                                     "10"};
    for (const std::string& f : faults) {
      args.push_back("--fault");
      args.push_back(f);
    }
    args.insert(args.end(), kQuickWorkload.begin(), kQuickWorkload.end());
    infra::CommandResult run = Flowbench(args, std::chrono::seconds(300));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return report::LoadResults((dir_ / "results" / "results.json").string());
  }

  // Every fault recorded as asked, ended and back; every accepted request accounted for.
  void ExpectRecordedAndAccounted(const report::RunResults& results,
                                  const std::vector<std::pair<std::string, std::string>>& faults) {
    ASSERT_EQ(results.runs.size(), 2u);
    for (const report::ProfileRun& r : results.runs) {
      SCOPED_TRACE(r.arch);
      ASSERT_EQ(r.faults.size(), faults.size());
      for (std::size_t i = 0; i < faults.size(); ++i) {
        const report::Fault& f = r.faults[i];
        EXPECT_EQ(f.kind, faults[i].first);
        EXPECT_EQ(f.target, faults[i].second);
        EXPECT_TRUE(f.error.empty()) << f.error;
        ASSERT_TRUE(f.restored_s.has_value()) << f.kind << " did not come back";
        EXPECT_GE(*f.restored_s, f.start_s + f.duration_s);
        std::printf("[fault %s] %s:%s recovery_s=%s restored_s=%.1f\n", r.arch.c_str(),
                    f.kind.c_str(), f.target.c_str(),
                    f.recovery_s ? std::to_string(*f.recovery_s).c_str() : "null", *f.restored_s);
      }
      EXPECT_FALSE(r.interrupted);
      for (const report::ScenarioResult& s : r.scenarios) {
        SCOPED_TRACE(s.scenario);
        ASSERT_TRUE(s.outcomes.has_value());
        const report::Outcomes& o = *s.outcomes;
        EXPECT_EQ(s.completion_source, "per-request");
        EXPECT_GT(o.accepted, 0u);
        // Each accepted request has exactly one fate (duplicated is counted on top).
        EXPECT_EQ(o.done + o.degraded + o.compensated + o.failed + o.dead_lettered + o.withdrawn +
                      o.unfinished + o.lost,
                  o.accepted);
        std::printf(
            "[outcomes %s %s] requests=%llu errors=%llu accepted=%llu done=%llu degraded=%llu "
            "compensated=%llu failed=%llu dead_lettered=%llu withdrawn=%llu duplicated=%llu "
            "unfinished=%llu lost=%llu drained=%d drain_s=%.1f\n",
            r.arch.c_str(), s.scenario.c_str(), (unsigned long long)s.requests,
            (unsigned long long)s.errors.Total(), (unsigned long long)o.accepted,
            (unsigned long long)o.done, (unsigned long long)o.degraded,
            (unsigned long long)o.compensated, (unsigned long long)o.failed,
            (unsigned long long)o.dead_lettered, (unsigned long long)o.withdrawn,
            (unsigned long long)o.duplicated, (unsigned long long)o.unfinished,
            (unsigned long long)o.lost, r.drained ? 1 : 0, r.drain_seconds);
      }
      for (const std::string& p : r.completion_problems)
        std::printf("[problem %s] %s\n", r.arch.c_str(), p.c_str());
    }
    std::string md = cli::testing::ReadFile(dir_ / "results" / "report.md");
    EXPECT_NE(md.find("## Faults"), std::string::npos);
    // Both embedded servers are healthy after the run, on the addresses infra.json names.
    infra::CommandResult status =
        Flowbench({"infra", "status", "--state-dir", State()}, std::chrono::seconds(60));
    EXPECT_EQ(status.exit_code, 0) << status.output;
  }

  fs::path dir_;
};

TEST_F(RunFault, BrokerKillAndServicePauseAreInjectedRecordedAndRecoveredFrom) {
  report::RunResults results = RunWith({"broker-kill@2s+3s", "service-pause:payment@8s+2s"});
  ExpectRecordedAndAccounted(results, {{"broker-kill", "rabbitmq"}, {"service-pause", "payment"}});
}

TEST_F(RunFault, DbStopAndServiceKillAreInjectedRecordedAndRecoveredFrom) {
  report::RunResults results = RunWith({"db-stop@2s+3s", "service-kill:email@8s+2s"});
  ExpectRecordedAndAccounted(results, {{"db-stop", "postgres"}, {"service-kill", "email"}});
}

TEST_F(RunFault, BadFaultsAreClearErrorsBeforeAnythingRuns) {
  infra::CommandResult bad = Flowbench(
      {"run", "--state-dir", State(), "--fault", "broker-explode@1s+1s"}, std::chrono::seconds(30));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("unknown kind 'broker-explode'"), std::string::npos) << bad.output;
  infra::CommandResult late =
      Flowbench({"run", "--state-dir", State(), "--duration", "5s", "--fault", "db-kill@6s+1s"},
                std::chrono::seconds(30));
  EXPECT_NE(late.exit_code, 0);
  EXPECT_NE(late.output.find("after the 5000 ms measured window"), std::string::npos)
      << late.output;
  infra::CommandResult target = Flowbench({"run", "--target", "sync=http://127.0.0.1:1", "--arch",
                                           "sync", "--fault", "broker-kill@1s+1s"},
                                          std::chrono::seconds(30));
  EXPECT_NE(target.exit_code, 0);
  EXPECT_NE(target.output.find("--fault needs the servers flowbench starts itself"),
            std::string::npos)
      << target.output;
  EXPECT_FALSE(fs::exists(dir_ / "results")) << "something ran anyway";
}

}  // namespace
}  // namespace flowbench
