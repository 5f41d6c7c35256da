// The results directory as the console browses it, and the names it refuses.
#include "bench/console/results_browser.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>

namespace flowbench::console {
namespace {

namespace fs = std::filesystem;

class ResultsBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("flowbench-console-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::path source = std::getenv("FLOWBENCH_SOURCE_DIR");
    for (const char* run : {"run-a", "run-b"}) {
      fs::create_directories(root_ / run);
      fs::copy_file(source / "bench/report/testdata/results.json", root_ / run / "results.json");
    }
    std::ofstream(root_ / "run-b" / "report.html") << "<html>b</html>";
    fs::create_directories(root_ / "sweep-a");
    fs::copy_file(source / "bench/sweep/testdata/sweep.json", root_ / "sweep-a" / "sweep.json");
    fs::create_directories(root_ / "notes");  // neither: not listed
    std::ofstream(root_ / "notes" / "x.txt") << "x";
    // run-b written last: listed first.
    fs::last_write_time(
        root_ / "run-b" / "results.json",
        fs::last_write_time(root_ / "run-a" / "results.json") + std::chrono::hours(1));
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(ResultsBrowser, ListsRunsAndSweepsNewestFirstAndNothingElse) {
  std::vector<ResultEntry> list = ListResults(root_);
  ASSERT_EQ(list.size(), 3u);
  // Newest by the files' own created_at (the sweep's is later than the runs'), then, for two
  // copies of one run, by the file's time.
  EXPECT_EQ(list[0].name, "sweep-a");
  EXPECT_EQ(list[0].kind, "sweep");
  EXPECT_EQ(list[0].created_at, "2026-11-30T10:00:00.000000Z");
  EXPECT_EQ(list[1].name, "run-b");
  EXPECT_EQ(list[1].kind, "run");
  EXPECT_EQ(list[1].report, "report.html");
  EXPECT_EQ(list[1].created_at, "2026-11-21T10:00:00.000000Z");
  EXPECT_EQ(list[2].name, "run-a");
  EXPECT_EQ(list[2].report, "");
  EXPECT_TRUE(ListResults(root_ / "missing").empty());
  boost::json::value json = boost::json::parse(ResultsJson(root_));
  EXPECT_EQ(json.at("results").as_array().size(), 3u);
}

TEST_F(ResultsBrowser, ServesAFileOfAResultDirectory) {
  EXPECT_EQ(ResultFile(root_, "run-b", "report.html"), fs::canonical(root_ / "run-b/report.html"));
  EXPECT_THROW(ResultFile(root_, "run-a", "report.html"), NotFound);
  EXPECT_THROW(ResultFile(root_, "nope", "results.json"), NotFound);
}

TEST_F(ResultsBrowser, RefusesEveryNameThatCouldLeaveTheResultsDirectory) {
  EXPECT_THROW(ResultFile(root_, "..", "etc"), BadRequest);
  EXPECT_THROW(ResultFile(root_, "run-a", ".."), BadRequest);
  EXPECT_THROW(ResultFile(root_, "run-a/../..", "passwd"), BadRequest);
  EXPECT_THROW(ResultFile(root_, "/etc", "passwd"), BadRequest);
  EXPECT_THROW(ResultFile(root_, ".hidden", "x"), BadRequest);
  EXPECT_THROW(ResultFile(root_, "", "x"), BadRequest);
  EXPECT_THROW(ResultFile(root_, std::string(300, 'a'), "x"), BadRequest);
  // A link inside pointing outside is not followed out.
  fs::create_directory_symlink("/etc", root_ / "link");
  EXPECT_THROW(ResultFile(root_, "link", "hostname"), NotFound);
}

TEST_F(ResultsBrowser, ComparesTwoRunsAsFlowbenchCompareDoes) {
  boost::json::value json = boost::json::parse(CompareJson(root_, "run-a", "run-b"));
  EXPECT_EQ(json.at("kind").as_string(), "runs");
  std::string markdown(json.at("markdown").as_string());
  EXPECT_NE(markdown.find("| metric | stat |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("`run-a`"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("`run-b`"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("http_req_duration"), std::string::npos);
}

TEST_F(ResultsBrowser, ComparesTwoSweepsKneeByKnee) {
  fs::create_directories(root_ / "sweep-b");
  fs::copy_file(root_ / "sweep-a" / "sweep.json", root_ / "sweep-b" / "sweep.json");
  boost::json::value json = boost::json::parse(CompareJson(root_, "sweep-a", "sweep-b"));
  EXPECT_EQ(json.at("kind").as_string(), "sweeps");
  EXPECT_NE(json.at("markdown").as_string().find("answer knee"), std::string::npos);
}

TEST_F(ResultsBrowser, ARunBesideASweepOrANameNotThereIsTheClientsMistake) {
  EXPECT_THROW(CompareJson(root_, "run-a", "sweep-a"), BadRequest);
  EXPECT_THROW(CompareJson(root_, "run-a", "nope"), NotFound);
  EXPECT_THROW(CompareJson(root_, "run-a", "../run-b"), BadRequest);
  std::ofstream(root_ / "run-a" / "results.json") << "{ not json";
  EXPECT_THROW(CompareJson(root_, "run-a", "run-b"), BadRequest);
}

}  // namespace
}  // namespace flowbench::console
