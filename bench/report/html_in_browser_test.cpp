// report.html opened in a real headless Chromium: it renders offline, every chart is drawn,
// and the console shows no error.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "bench/report/headless_chromium.hpp"
#include "bench/report/reports.hpp"
#include "common/infra/process.hpp"

namespace flowbench::report {
namespace {

using testing::ChromiumArgs;
using testing::kChromium;

TEST(HtmlReport, RendersInHeadlessChromiumWithEveryChartAndNoConsoleError) {
  if (!std::filesystem::exists(kChromium)) GTEST_SKIP() << "chromium is not installed";
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "flowbench-html-test";
  std::filesystem::create_directories(dir);
  RunResults results = LoadResults(std::string(std::getenv("FLOWBENCH_SOURCE_DIR")) +
                                   "/bench/report/testdata/results.json");
  std::filesystem::path html = WriteReports(results, dir);
  std::string page = "file://" + html.string();

  std::vector<std::string> dump = ChromiumArgs(dir / "profile");
  dump.insert(dump.end(), {"--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                           "--dump-dom", page});
  infra::CommandResult r = infra::RunCommand(dump, {}, std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The page's own script sets data-charts-drawn once every chart was constructed.
  std::size_t canvases = 0;
  for (std::size_t at = r.output.find("<canvas"); at != std::string::npos;
       at = r.output.find("<canvas", at + 1)) {
    ++canvases;
  }
  EXPECT_GE(canvases, 6u);
  EXPECT_NE(r.output.find("data-charts-drawn=\"" + std::to_string(canvases) + "\""),
            std::string::npos)
      << "charts were not all drawn";
  EXPECT_EQ(r.output.find("Uncaught"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(":ERROR:CONSOLE"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("<h2>p95 latency per profile</h2>"), std::string::npos);

  std::vector<std::string> shot = ChromiumArgs(dir / "profile");
  shot.insert(shot.end(), {"--window-size=1200,1600", "--virtual-time-budget=5000",
                           "--screenshot=" + (dir / "report.png").string(), page});
  infra::CommandResult s = infra::RunCommand(shot, {}, std::chrono::seconds(60));
  EXPECT_EQ(s.exit_code, 0) << s.output;
  EXPECT_GT(std::filesystem::file_size(dir / "report.png"), 20'000u);  // not a blank page
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowbench::report
