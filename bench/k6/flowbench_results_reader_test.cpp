// flowbench's own results.json as an input of `flowbench compare`: every arch x profile x
// scenario of bench/report/testdata/results.json (a v1 file) as tagged sub-metrics (repeats
// averaged), completion latency included; the same figures from the file written again as
// v2; a directory for its results.json; clear errors for an unknown schema version or a
// malformed file of either version.
#include "bench/k6/flowbench_results_reader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "bench/k6/k6_error.hpp"
#include "bench/k6/k6_samples.hpp"
#include "bench/k6/result_reader.hpp"
#include "bench/report/results.hpp"

namespace flowbench::k6 {
namespace {

using testing::StatOf;
using testing::WriteTempFile;

std::filesystem::path TestdataDir() {
  const char* source = std::getenv("FLOWBENCH_SOURCE_DIR");
  return std::filesystem::path(source ? source : ".") / "bench" / "report" / "testdata";
}

compare::RunSummary Read(const std::filesystem::path& path) {
  return ReadResultFile(path, DefaultResultReaders());
}

// The message of the K6FormatError that reading `content` as a file gives.
std::string ErrorReading(std::string_view name, std::string_view content) {
  try {
    Read(WriteTempFile(name, content));
  } catch (const K6FormatError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FlowbenchResultsReader, EveryArchProfileAndScenarioIsATaggedSubmetric) {
  compare::RunSummary run = Read(TestdataDir() / "results.json");
  EXPECT_EQ(run.format, "flowbench results.json, mean of 2 repeats");
  // The testdata's two sync repeats had scenario6 p95 17 ms and 19 ms.
  EXPECT_DOUBLE_EQ(
      StatOf(run, "http_req_duration{arch:sync,profile:baseline,scenario:scenario6}", "p(95)"), 18);
  EXPECT_TRUE(
      run.Find("http_req_duration{arch:sync,profile:baseline,scenario:scenario6}")->is_time);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_req_duration{arch:async,profile:baseline}", "p(95)"), 6);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_req_duration{arch:async,profile:baseline}", "count"), 1560);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_reqs{arch:sync,profile:baseline,scenario:scenario6}", "count"),
                   1500);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_reqs{arch:sync,profile:baseline,scenario:scenario6}", "rate"),
                   50);
  EXPECT_DOUBLE_EQ(
      StatOf(run, "http_req_failed{arch:sync,profile:baseline,scenario:scenario6}", "passes"), 3);
  EXPECT_DOUBLE_EQ(
      StatOf(run, "http_req_failed{arch:sync,profile:baseline,scenario:scenario6}", "rate"), 0.002);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_req_failed{arch:async,profile:baseline}", "rate"), 0);
}

TEST(FlowbenchResultsReader, AV2FileGivesTheFiguresItsV1OriginalGave) {
  report::RunResults v1 = report::LoadResults((TestdataDir() / "results.json").string());
  ASSERT_EQ(v1.schema, report::kSchemaV1);
  std::filesystem::path v2 =
      std::filesystem::temp_directory_path() / ("flowbench-k6-v2-" + std::to_string(::getpid()));
  std::filesystem::create_directories(v2);
  report::SaveResults(v1, (v2 / "results.json").string());  // always written as v2
  ASSERT_EQ(report::LoadResults((v2 / "results.json").string()).schema, report::kSchema);

  compare::RunSummary from_v1 = Read(TestdataDir() / "results.json");
  compare::RunSummary from_v2 = Read(v2);
  EXPECT_EQ(from_v2.format, from_v1.format);
  ASSERT_EQ(from_v2.metrics.size(), from_v1.metrics.size());
  for (const auto& [name, metric] : from_v1.metrics) {
    ASSERT_NE(from_v2.Find(name), nullptr) << name;
    EXPECT_EQ(from_v2.Find(name)->stats, metric.stats) << name;
  }
  EXPECT_DOUBLE_EQ(
      StatOf(from_v2, "flowbench_completion{arch:async,profile:baseline,scenario:scenario1}",
             "p(95)"),
      600);
  std::filesystem::remove_all(v2);
}

TEST(FlowbenchResultsReader, CompletionLatencyIsAMetricOfItsOwn) {
  compare::RunSummary run = Read(TestdataDir() / "results.json");
  const std::string key = "flowbench_completion{arch:async,profile:baseline,scenario:scenario1}";
  ASSERT_NE(run.Find(key), nullptr);
  EXPECT_TRUE(run.Find(key)->is_time);
  EXPECT_DOUBLE_EQ(StatOf(run, key, "p(95)"), 600);
  EXPECT_DOUBLE_EQ(StatOf(run, key, "count"), 60);
  // The client saw 6 ms for the same requests: the answer is not the completion.
  EXPECT_DOUBLE_EQ(
      StatOf(run, "http_req_duration{arch:async,profile:baseline,scenario:scenario1}", "p(95)"), 6);
}

TEST(FlowbenchResultsReader, ADirectoryStandsForItsResultsJson) {
  compare::RunSummary run = Read(TestdataDir());
  EXPECT_EQ(run.source, (TestdataDir() / "results.json").string());
  EXPECT_NE(run.Find("http_req_duration{arch:sync,profile:baseline}"), nullptr);

  std::filesystem::path empty =
      std::filesystem::temp_directory_path() / ("flowbench-k6-empty-" + std::to_string(::getpid()));
  std::filesystem::create_directories(empty);
  try {
    Read(empty);
    ADD_FAILURE() << "a directory without results.json was read";
  } catch (const K6FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("a directory without results.json"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove(empty);
}

TEST(FlowbenchResultsReader, ASelectedBuildCarriesK6sOwnNamesSoItLinesUpWithAK6Run) {
  compare::RunSummary run = Read((TestdataDir() / "results.json").string() + "#sync");
  EXPECT_EQ(run.format, "flowbench results.json #sync, mean of 2 repeats");
  EXPECT_DOUBLE_EQ(StatOf(run, "http_req_duration{scenario:scenario6}", "p(95)"), 18);
  EXPECT_NE(run.Find("http_req_duration"), nullptr);
  EXPECT_EQ(run.Find("http_req_duration{arch:sync,profile:baseline}"), nullptr);
  EXPECT_EQ(run.Find("http_req_duration{arch:async,profile:baseline}"), nullptr);

  // The same names as k6's --summary-export: the rows meet.
  compare::RunSummary k6 = Read((testing::K6SamplesDir() / "summary-export.json"));
  EXPECT_NE(k6.Find("http_req_duration{scenario:scenario6}"), nullptr);

  // A directory, a build and a profile.
  compare::RunSummary async = Read(TestdataDir().string() + "#async/baseline");
  EXPECT_DOUBLE_EQ(StatOf(async, "http_req_duration", "p(95)"), 6);
  EXPECT_DOUBLE_EQ(StatOf(async, "flowbench_completion{scenario:scenario1}", "p(95)"), 600);
}

TEST(FlowbenchResultsReader, ASelectorThatMatchesNoRunIsAClearErrorListingTheRuns) {
  try {
    Read((TestdataDir() / "results.json").string() + "#async/stress");
    ADD_FAILURE() << "#async/stress was read";
  } catch (const K6FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("no run matches #async/stress (the file holds: "
                                         "async/baseline, sync/baseline)"),
              std::string::npos)
        << e.what();
  }
  try {
    Read((testing::K6SamplesDir() / "summary-export.json").string() + "#async");
    ADD_FAILURE() << "a selector on a k6 file was accepted";
  } catch (const K6FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("selects runs of a flowbench results.json"),
              std::string::npos)
        << e.what();
  }
}

TEST(FlowbenchResultsReader, AnUnknownSchemaVersionIsAClearError) {
  std::string message =
      ErrorReading("v3.json", R"({"schema": "flowbench.results/v3", "runs": []})");
  EXPECT_NE(message.find("results schema 'flowbench.results/v3' is not one this flowbench reads "
                         "(flowbench.results/v2, flowbench.results/v1)"),
            std::string::npos)
      << message;
}

TEST(FlowbenchResultsReader, AMalformedFileIsAClearErrorNamingWhatIsWrong) {
  for (std::string version : {"v1", "v2"}) {
    std::string schema = "flowbench.results/" + version;
    std::string no_runs = ErrorReading("no-runs.json", R"({"schema": ")" + schema + R"(",
        "created_at": "x", "git_commit": "x", "machine": {}, "versions": {}, "settings": {},
        "profiles": []})");
    EXPECT_NE(no_runs.find("not a valid " + schema + " file"), std::string::npos) << no_runs;
    EXPECT_NE(no_runs.find("\"runs\" is required"), std::string::npos) << no_runs;

    std::string bad_run = ErrorReading("bad-run.json", R"({"schema": ")" + schema + R"(",
        "created_at": "x", "git_commit": "x", "machine": {}, "versions": {}, "settings": {},
        "profiles": [], "runs": [{"arch": "sync"}]})");
    EXPECT_NE(bad_run.find("runs[0]: "), std::string::npos) << bad_run;

    std::string not_json = ErrorReading("cut.json", R"({"schema": ")" + schema + R"(", "runs": [)");
    EXPECT_NE(not_json.find("a flowbench results file that is not valid JSON"), std::string::npos)
        << not_json;
  }
  // A v2 file must carry v2's fields: a writer that forgot one is told which.
  std::string no_statistics = ErrorReading("v2-without-statistics.json", R"({
      "schema": "flowbench.results/v2", "created_at": "x", "git_commit": "x", "machine": {},
      "versions": {}, "settings": {}, "profiles": [], "runs": []})");
  EXPECT_NE(no_statistics.find("\"statistics\" is required in flowbench.results/v2"),
            std::string::npos)
      << no_statistics;
}

}  // namespace
}  // namespace flowbench::k6
