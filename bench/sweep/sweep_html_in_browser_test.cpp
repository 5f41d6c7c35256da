// sweep.html opened in a real headless Chromium: it renders offline, every chart is drawn,
// and the console shows no error.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/report/headless_chromium.hpp"
#include "bench/sweep/sweep_report.hpp"
#include "common/infra/process.hpp"

namespace flowbench::sweep {
namespace {

using report::testing::ChromiumArgs;
using report::testing::kChromium;

TEST(SweepHtml, RendersInHeadlessChromiumWithEveryChartAndNoConsoleError) {
  if (!std::filesystem::exists(kChromium)) GTEST_SKIP() << "chromium is not installed";
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("flowbench-sweep-html-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  SweepResults sweep = LoadSweep(std::string(std::getenv("FLOWBENCH_SOURCE_DIR")) +
                                 "/bench/sweep/testdata/sweep.json");
  std::string page = "file://" + WriteSweepReports(sweep, dir).string();

  std::vector<std::string> dump = ChromiumArgs(dir / "profile");
  dump.insert(dump.end(), {"--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                           "--dump-dom", page});
  infra::CommandResult r = infra::RunCommand(dump, {}, std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Two charts per scenario; the page's script sets data-charts-drawn once all were built.
  EXPECT_NE(r.output.find("data-charts-drawn=\"4\""), std::string::npos)
      << "charts were not all drawn";
  EXPECT_EQ(r.output.find("Uncaught"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(":ERROR:CONSOLE"), std::string::npos) << r.output;

  std::vector<std::string> shot = ChromiumArgs(dir / "profile");
  shot.insert(shot.end(), {"--window-size=1200,1600", "--virtual-time-budget=5000",
                           "--screenshot=" + (dir / "sweep.png").string(), page});
  infra::CommandResult s = infra::RunCommand(shot, {}, std::chrono::seconds(60));
  EXPECT_EQ(s.exit_code, 0) << s.output;
  EXPECT_GT(std::filesystem::file_size(dir / "sweep.png"), 20'000u);  // not a blank page
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowbench::sweep
