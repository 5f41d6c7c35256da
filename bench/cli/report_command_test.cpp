// `flowbench report DIR` as a user runs it: the run's reports from results.json, the sweep's
// from sweep.json, both when both are there, and a clear error when neither is.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/infra/process.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;

infra::CommandResult Flowbench(std::vector<std::string> args) {
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  std::vector<std::string> argv{std::string(bin_dir ? bin_dir : ".") + "/flowbench"};
  argv.insert(argv.end(), args.begin(), args.end());
  return infra::RunCommand(argv);
}

fs::path SourceDir() { return fs::path(std::getenv("FLOWBENCH_SOURCE_DIR")); }

fs::path EmptyDir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("flowbench-report-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(ReportCommand, SweepJsonGivesSweepMdAndSweepHtml) {
  fs::path dir = EmptyDir("sweep");
  fs::copy_file(SourceDir() / "bench/sweep/testdata/sweep.json", dir / "sweep.json");
  infra::CommandResult r = Flowbench({"report", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "sweep.md"));
  EXPECT_TRUE(fs::exists(dir / "sweep.html"));
  EXPECT_FALSE(fs::exists(dir / "report.md"));
  EXPECT_NE(r.output.find("sweep.html"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(ReportCommand, BothResultsAndSweepGiveBothReports) {
  fs::path dir = EmptyDir("both");
  fs::copy_file(SourceDir() / "bench/sweep/testdata/sweep.json", dir / "sweep.json");
  fs::copy_file(SourceDir() / "bench/report/testdata/results.json", dir / "results.json");
  infra::CommandResult r = Flowbench({"report", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* file : {"report.md", "report.html", "results.csv", "sweep.md", "sweep.html"}) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  fs::remove_all(dir);
}

TEST(ReportCommand, ADirWithNeitherSaysWhatItLooksFor) {
  fs::path dir = EmptyDir("empty");
  infra::CommandResult r = Flowbench({"report", dir.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("neither results.json"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowbench
