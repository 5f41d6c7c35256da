// `flowbench compare` as a user runs it, on the real k6 samples and on flowbench's own
// results.json: the table, thresholds and their exit codes (99 on a breach, like k6), and
// clear errors.
#include <gtest/gtest.h>

#include <cstdlib>

#include "bench/k6/k6_samples.hpp"
#include "bench/report/results.hpp"
#include "bench/sweep/sweep_results.hpp"
#include "common/infra/process.hpp"

namespace flowbench {
namespace {

using k6::testing::K6SamplesDir;

infra::CommandResult Flowbench(std::vector<std::string> args) {
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  std::vector<std::string> argv{std::string(bin_dir ? bin_dir : ".") + "/flowbench"};
  argv.insert(argv.end(), args.begin(), args.end());
  return infra::RunCommand(argv);
}

std::string Sample(const char* name) { return (K6SamplesDir() / name).string(); }

TEST(CompareCommand, SideBySideOfAllThreeK6Formats) {
  infra::CommandResult r = Flowbench({"compare", Sample("summary-export.json"),
                                      Sample("handle-summary.json"), Sample("out.ndjson.gz")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(k6 summary-export)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(k6 handleSummary, 6.1 s)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(k6 NDJSON"), std::string::npos) << r.output;
  // The same run read three ways: identical p(95) in A and B, so a zero delta and 1.00x.
  EXPECT_NE(
      r.output.find("| http_req_duration | p(95) | 56.662 ms | 56.662 ms | 0.000 ms | 1.00x |"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| http_req_duration{scenario:scenario6} | p(99) | - | - | - | - | "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| http_reqs | count | 317 | 317 | 0 | 1.00x | 317 | 0 | 1.00x |"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("`http_req_duration{scenario:scenario6}: p(99)<100` passed"),
            std::string::npos)
      << r.output;
}

TEST(CompareCommand, ThresholdsGateWithExitCode99) {
  infra::CommandResult pass = Flowbench({"compare", Sample("out.ndjson.gz"), "--threshold",
                                         "scenario6:p99<100ms", "--threshold", "checks:rate>0.99"});
  EXPECT_EQ(pass.exit_code, 0) << pass.output;
  EXPECT_NE(pass.output.find("✓ A `scenario6:p99<100ms`"), std::string::npos) << pass.output;

  infra::CommandResult breach =
      Flowbench({"compare", Sample("out.ndjson.gz"), "--threshold", "http_req_duration:p95<1ms"});
  EXPECT_EQ(breach.exit_code, 99) << breach.output;
  EXPECT_NE(breach.output.find("BREACH"), std::string::npos) << breach.output;

  // The summary has no p(99) (no summaryTrendStats): no data is a breach, not a pass.
  infra::CommandResult no_data =
      Flowbench({"compare", Sample("summary-export.json"), "--threshold", "scenario6:p99<100ms"});
  EXPECT_EQ(no_data.exit_code, 99) << no_data.output;
  EXPECT_NE(no_data.output.find("summaryTrendStats"), std::string::npos) << no_data.output;
}

TEST(CompareCommand, TwoResultsJsonRunByRunWithCompletionLatency) {
  std::filesystem::path testdata =
      std::filesystem::path(std::getenv("FLOWBENCH_SOURCE_DIR")) / "bench/report/testdata";
  // B: the same runs, but the async build's scenario 6 twice as slow and its emails done later.
  report::RunResults slower = report::LoadResults((testdata / "results.json").string());
  for (report::ProfileRun& run : slower.runs) {
    if (run.arch != "async") continue;
    for (report::ScenarioResult& s : run.scenarios) {
      if (s.scenario == "scenario6") s.latency.p95 *= 2;
      if (s.scenario == "scenario1") s.completion->p95 = 0.9;
    }
  }
  std::filesystem::path b = std::filesystem::temp_directory_path() /
                            ("flowbench-compare-" + std::to_string(::getpid()) + ".json");
  report::SaveResults(slower, b.string());

  // A results directory stands for its results.json.
  infra::CommandResult r = Flowbench({"compare", testdata.string(), b.string()});
  std::filesystem::remove(b);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(flowbench results.json, mean of 2 repeats)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| http_req_duration{arch:async,profile:baseline,scenario:scenario6} | "
                          "p(95) | 6.000 ms | 12.000 ms | +6.000 ms | 2.00x |"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| http_req_duration{arch:sync,profile:baseline,scenario:scenario6} | "
                          "p(95) | 18.000 ms | 18.000 ms | 0.000 ms | 1.00x |"),
            std::string::npos)
      << r.output;
  EXPECT_NE(
      r.output.find("| flowbench_completion{arch:async,profile:baseline,scenario:scenario1} | "
                    "p(95) | 600.000 ms | 900.000 ms | +300.000 ms | 1.50x |"),
      std::string::npos)
      << r.output;

  infra::CommandResult gate =
      Flowbench({"compare", testdata.string(), "--threshold",
                 "http_req_duration{arch:sync,profile:baseline,scenario:scenario6}:p95<10ms"});
  EXPECT_EQ(gate.exit_code, 99) << gate.output;
}

// testdata/real-k6/segments: one run by two k6 instances (--execution-segment), and the same
// script run whole right after.
std::string Segment(const char* name) { return (K6SamplesDir() / "segments" / name).string(); }

TEST(CompareCommand, MergeReadsTheOutputsOfOneRunFromSeveralMachinesAsOneRun) {
  const std::string first = Segment("segment-0-1_2.ndjson.gz");
  const std::string second = Segment("segment-1_2-1.ndjson.gz");
  infra::CommandResult r =
      Flowbench({"compare", Segment("whole.ndjson.gz"), "--merge", first, second});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("- **B**: `" + first + " + " + second + "` (k6 NDJSON, 2 outputs merged"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| http_reqs | count | 1171 | 1171 | 0 | 1.00x |"), std::string::npos)
      << r.output;

  // Each --merge is a run of its own; without FILES the first is the baseline.
  infra::CommandResult two =
      Flowbench({"compare", "--merge", first, second, "--merge", second, first});
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("| http_reqs | count | 1171 | 1171 | 0 | 1.00x |"), std::string::npos)
      << two.output;

  infra::CommandResult summary =
      Flowbench({"compare", "--merge", first, Segment("whole.summary.json")});
  EXPECT_EQ(summary.exit_code, 2) << summary.output;
  EXPECT_NE(summary.output.find("--merge takes k6 --out json outputs"), std::string::npos)
      << summary.output;
  EXPECT_EQ(Flowbench({"compare", "--merge", first}).exit_code, 2);  // one file merges nothing
}

TEST(CompareCommand, TwoSweepsKneeByKneeWithTheRatio) {
  std::filesystem::path testdata =
      std::filesystem::path(std::getenv("FLOWBENCH_SOURCE_DIR")) / "bench/sweep/testdata";
  // B: the sync build's click ingestion takes twice the rate before its answers break.
  sweep::SweepResults faster = sweep::LoadSweep((testdata / "sweep.json").string());
  for (sweep::Knees& k : faster.knees) {
    if (k.arch == "sync" && k.scenario == "scenario6") *k.answer_knee_rps *= 2;
  }
  std::filesystem::path b = std::filesystem::temp_directory_path() /
                            ("flowbench-compare-sweep-" + std::to_string(::getpid()));
  std::filesystem::create_directories(b);
  sweep::SaveSweep(faster, (b / "sweep.json").string());

  // A sweep file, and a directory that stands for its sweep.json.
  infra::CommandResult r = Flowbench({"compare", (testdata / "sweep.json").string(), b.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| sync | scenario6 | 2500 req/s | 5000 req/s | 2.00x |"),
            std::string::npos)
      << r.output;

  // A sweep lines up with a sweep only.
  infra::CommandResult mixed =
      Flowbench({"compare", b.string(),
                 (std::filesystem::path(testdata) / "../../report/testdata").string()});
  EXPECT_EQ(mixed.exit_code, 2) << mixed.output;
  EXPECT_NE(mixed.output.find("a sweep compares with one other sweep only"), std::string::npos)
      << mixed.output;
  std::filesystem::remove_all(b);
}

TEST(CompareCommand, MistakesAreClearErrors) {
  infra::CommandResult bad_threshold =
      Flowbench({"compare", Sample("out.ndjson.gz"), "--threshold", "scenario6:p95 under 5"});
  EXPECT_EQ(bad_threshold.exit_code, 2) << bad_threshold.output;
  EXPECT_NE(bad_threshold.output.find("no comparator"), std::string::npos) << bad_threshold.output;

  infra::CommandResult unknown = Flowbench({"compare", Sample("script.js")});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("not a format"), std::string::npos) << unknown.output;

  EXPECT_NE(Flowbench({"compare", "/no/such/file.json"}).exit_code, 0);
  EXPECT_NE(Flowbench({"compare"}).exit_code, 0);
}

}  // namespace
}  // namespace flowbench
