// `flowbench run` end to end, as a user runs it: the real binary starts its own PostgreSQL
// and RabbitMQ and both builds, drives every scenario briefly (delays shortened), drains,
// and writes every output with real counts and no failed check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/report/results.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;

infra::CommandResult Flowbench(std::vector<std::string> args, std::chrono::seconds timeout) {
  std::vector<std::string> argv{std::string(std::getenv("FLOWBENCH_BIN_DIR")) + "/flowbench"};
  argv.insert(argv.end(), args.begin(), args.end());
  return infra::RunCommand(argv, {}, timeout);
}

class RunCommand : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("flowbench-run"); }
  void TearDown() override {
    Flowbench({"infra", "down", "--state-dir", (dir_ / "state").string()}, std::chrono::seconds(60));
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(RunCommand, ShortRunOfEveryScenarioOnBothBuildsWritesEveryOutput) {
  fs::path out = dir_ / "results";
  infra::CommandResult run = Flowbench(
      {"run", "--state-dir", (dir_ / "state").string(), "--out", out.string(), "--profile",
       "smoke", "--duration", "4s", "--drain-timeout", "60", "--email-delay-ms", "20",
       "--payment-gateway-delay-ms", "40", "--search-reindex-delay-ms", "5",
       "--cache-invalidation-delay-ms", "5", "--analytics-log-delay-ms", "5",
       "--report-cpu-time-ms", "50", "--saga-payment-delay-ms", "20",
       "--threshold", "scenario6:p95<5s"},
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
      EXPECT_EQ(s.errors.Total(), 0u) << "connect " << s.errors.connect << " timeout "
                                      << s.errors.timeout << " status " << s.errors.status
                                      << " check " << s.errors.check;
      ASSERT_TRUE(s.completion.has_value()) << "no completion scraped";
      EXPECT_GE(s.completion->count, s.requests);
      EXPECT_GT(s.latency.p50, 0.0);
    }
    EXPECT_GT(r.overall.count, 0u);
    ASSERT_EQ(r.resources.size(), 10u);
    double cpu = 0;
    for (const report::ServiceResources& s : r.resources) cpu += s.cpu_seconds;
    EXPECT_GT(cpu, 0.0);
  }
  EXPECT_FALSE(results.runs[1].queues.empty()) << "the async run sampled no queue";
  EXPECT_TRUE(results.runs[0].queues.empty()) << "the sync build has no queues";
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
  infra::CommandResult threshold = Flowbench(
      {"run", "--state-dir", (dir_ / "state").string(), "--threshold", "p95 less than 5"},
      std::chrono::seconds(30));
  EXPECT_NE(threshold.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "state" / "infra.json")) << "something started anyway";
}

}  // namespace
}  // namespace flowbench
