// `flowbench run --gateway --ui` end to end, as the "done when" runs it: both builds,
// each behind its own gateway with a token flowbench mints, briefly; every request went
// through the gateway (its count of forwarded requests covers the run's), none failed, the
// report has the gateway hop, and the live console answered while the run went on.
#include <gtest/gtest.h>

#include "bench/cli/cli_testing.hpp"
#include "bench/report/results.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using cli::testing::Concat;
using cli::testing::Flowbench;
using cli::testing::kQuickWorkload;

class RunGatewayCommand : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("flowbench-run-gateway"); }
  void TearDown() override {
    Flowbench({"infra", "down", "--state-dir", (dir_ / "state").string()},
              std::chrono::seconds(60));
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(RunGatewayCommand, BothBuildsThroughTheirGatewayWithTheLiveConsole) {
  fs::path out = dir_ / "results";
  int ui_port = infra::FindFreePort();
  cli::testing::BackgroundFlowbench run(
      Concat({"run", "--gateway", "--ui", "--ui-port", std::to_string(ui_port), "--state-dir",
              (dir_ / "state").string(), "--out", out.string(), "--profile", "smoke", "--duration",
              "4s", "--warmup", "1", "--drain-timeout", "60"},
             kQuickWorkload),
      dir_ / "output.txt");
  ASSERT_TRUE(run.WaitForOutput("[sync smoke 1/1] load", std::chrono::seconds(120)))
      << run.Output();
  http::JsonClient console("127.0.0.1", ui_port);
  http::JsonResponse live = console.Get("/api/live");
  ASSERT_EQ(live.status, 200) << live.Describe() << "\n" << run.Output();
  ASSERT_TRUE(live.Object()) << live.body;
  EXPECT_TRUE(live.json.at("live").as_bool());

  std::optional<cli::testing::ExitStatus> status = run.WaitForExit(std::chrono::seconds(240));
  ASSERT_TRUE(status) << run.Output();
  ASSERT_EQ(status->exit_code, 0) << status->Describe() << "\n" << run.Output();

  report::RunResults results = report::LoadResults((out / "results.json").string());
  ASSERT_EQ(results.runs.size(), 2u);
  for (const report::ProfileRun& r : results.runs) {
    SCOPED_TRACE(r.arch);
    EXPECT_GT(r.Requests(), 0u);
    EXPECT_EQ(r.Errors(), 0u) << "a request refused or lost on the way through the gateway";
    ASSERT_TRUE(r.gateway) << "not recorded as a gateway run";
    EXPECT_GE(r.gateway->forwarded, r.Requests()) << "requests went around the gateway";
    ASSERT_TRUE(r.gateway->added) << "the gateway's /metrics was not read";
    EXPECT_GT(r.gateway->added->p50, 0.0);
    EXPECT_LT(r.gateway->added->p99, r.overall.p99) << "the hop cannot take longer than the answer";
  }
  std::string markdown = cli::testing::ReadFile(out / "report.md");
  EXPECT_NE(markdown.find("| entry point | through an API gateway per build"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("## Gateway hop"), std::string::npos);
  EXPECT_NE(markdown.find("| sync | smoke | 1 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| async | smoke | 1 |"), std::string::npos) << markdown;
  EXPECT_NE(cli::testing::ReadFile(out / "report.html").find("<h2>Gateway hop</h2>"),
            std::string::npos);
}

TEST_F(RunGatewayCommand, ABadRateLimitOrATargetAreClearErrorsBeforeAnythingStarts) {
  infra::CommandResult rate = Flowbench({"run", "--state-dir", (dir_ / "state").string(),
                                         "--gateway", "--gateway-rate-limit", "fast"},
                                        std::chrono::seconds(30));
  EXPECT_NE(rate.exit_code, 0);
  EXPECT_NE(rate.output.find("N/s, N/m or off, not 'fast'"), std::string::npos) << rate.output;
  infra::CommandResult target = Flowbench({"run", "--state-dir", (dir_ / "state").string(),
                                           "--gateway", "--target", "sync=http://127.0.0.1:1"},
                                          std::chrono::seconds(30));
  EXPECT_NE(target.exit_code, 0);
  EXPECT_NE(target.output.find("a --target deployment has its own"), std::string::npos)
      << target.output;
  // --via-gateway (the name for it) is the same flag.
  infra::CommandResult via = Flowbench({"run", "--state-dir", (dir_ / "state").string(),
                                        "--via-gateway", "--target", "sync=http://127.0.0.1:1"},
                                       std::chrono::seconds(30));
  EXPECT_NE(via.exit_code, 0);
  EXPECT_NE(via.output.find("a --target deployment has its own"), std::string::npos) << via.output;
  EXPECT_FALSE(fs::exists(dir_ / "state" / "infra.json")) << "nothing was started";
}

}  // namespace
}  // namespace flowbench
