// The k6 importers: the real k6 v0.47 samples in all three formats agree with each other;
// fixtures written from the documented schema cover gzip, null tags, older versions'
// missing fields, and malformed lines (an error naming the line).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "bench/compare/threshold.hpp"
#include "bench/k6/k6_error.hpp"
#include "bench/k6/k6_samples.hpp"
#include "bench/k6/ndjson_reader.hpp"
#include "bench/k6/result_reader.hpp"

namespace flowbench::k6 {
namespace {

using testing::K6SamplesDir;
using testing::StatOf;
using testing::WriteTempFile;

compare::RunSummary Read(const std::filesystem::path& path) {
  return ReadResultFile(path, DefaultResultReaders());
}

class RealK6Samples : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(K6SamplesDir() / "summary-export.json"))
        << "k6 samples not found in " << K6SamplesDir() << " (set FLOWBENCH_K6_SAMPLES)";
  }
};

TEST_F(RealK6Samples, SummaryExport) {
  compare::RunSummary run = Read(K6SamplesDir() / "summary-export.json");
  EXPECT_EQ(run.format, "k6 summary-export");
  EXPECT_EQ(StatOf(run, "http_reqs", "count"), 317);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_req_duration", "p(95)"), 56.661696400000004);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_req_duration{scenario:scenario6}", "med"), 0.660473);
  EXPECT_EQ(run.Find("http_req_duration")->type, "trend");
  EXPECT_TRUE(run.Find("http_req_duration")->is_time);
  EXPECT_EQ(run.Find("http_req_failed")->type, "rate");
  EXPECT_EQ(StatOf(run, "http_req_failed", "rate"), 0);
  EXPECT_EQ(StatOf(run, "checks", "rate"), 1);
  const auto& thresholds = run.Find("http_req_duration{scenario:scenario6}")->thresholds;
  ASSERT_EQ(thresholds.size(), 1u);
  EXPECT_EQ(thresholds[0].expression, "p(99)<100");
  EXPECT_EQ(thresholds[0].failed, false);  // summary-export: true would mean failed
  ASSERT_EQ(run.checks.size(), 2u);
  EXPECT_EQ(run.checks[0].passes + run.checks[1].passes, 317u);
}

TEST_F(RealK6Samples, HandleSummary) {
  compare::RunSummary run = Read(K6SamplesDir() / "handle-summary.json");
  EXPECT_EQ(run.format, "k6 handleSummary");
  EXPECT_EQ(StatOf(run, "http_reqs", "count"), 317);
  EXPECT_DOUBLE_EQ(StatOf(run, "http_req_duration", "avg"), 6.42940587066246);
  ASSERT_TRUE(run.duration_s);
  EXPECT_NEAR(*run.duration_s, 6.1387, 1e-3);
  EXPECT_EQ(run.Find("checks")->thresholds.at(0).failed, false);  // {"ok": true}
  EXPECT_EQ(run.Find("vus_max")->type, "gauge");
  EXPECT_EQ(StatOf(run, "vus_max", "value"), 7);
  ASSERT_EQ(run.checks.size(), 2u);
}

TEST_F(RealK6Samples, NdjsonGzipAgreesWithTheSummary) {
  compare::RunSummary stream = Read(K6SamplesDir() / "out.ndjson.gz");
  compare::RunSummary summary = Read(K6SamplesDir() / "summary-export.json");
  EXPECT_EQ(stream.format, "k6 NDJSON");
  for (const char* key : {"http_req_duration", "http_req_duration{scenario:scenario6}",
                          "http_req_waiting", "iteration_duration"}) {
    SCOPED_TRACE(key);
    EXPECT_NEAR(StatOf(stream, key, "avg"), StatOf(summary, key, "avg"),
                1e-9 * StatOf(summary, key, "avg"));
    EXPECT_DOUBLE_EQ(StatOf(stream, key, "min"), StatOf(summary, key, "min"));
    EXPECT_DOUBLE_EQ(StatOf(stream, key, "max"), StatOf(summary, key, "max"));
    EXPECT_NEAR(StatOf(stream, key, "med"), StatOf(summary, key, "med"),
                0.01 * StatOf(summary, key, "med"));
    // k6 interpolates between neighbours, the histogram takes the nearest rank.
    EXPECT_NEAR(StatOf(stream, key, "p(95)"), StatOf(summary, key, "p(95)"),
                0.05 * StatOf(summary, key, "p(95)"));
  }
  EXPECT_EQ(StatOf(stream, "http_reqs", "count"), 317);
  EXPECT_EQ(StatOf(stream, "http_reqs{scenario:scenario2}", "count"), 33);
  EXPECT_EQ(StatOf(stream, "http_req_duration{scenario:scenario6}", "count"), 284);
  EXPECT_TRUE(
      stream.Find("http_req_duration{scenario:scenario6}")->Stat("p(99)"));  // summary lacks it
  EXPECT_EQ(StatOf(stream, "http_req_failed", "rate"), 0);
  EXPECT_EQ(StatOf(stream, "checks", "passes"), 317);
  EXPECT_EQ(StatOf(stream, "vus_max", "value"), 7);
  EXPECT_NEAR(StatOf(stream, "http_reqs", "rate"), StatOf(summary, "http_reqs", "rate"), 3);
  EXPECT_EQ(stream.Find("checks")->thresholds.at(0).expression, "rate>0.99");
  ASSERT_EQ(stream.checks.size(), 2u);
}

// Written from k6's documented --out json schema: tags null or absent, integer values,
// Points before their Metric line (cut files), blank lines, no trailing newline.
constexpr std::string_view kHandWritten =
    R"({"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":10,"tags":null}})"
    "\n"
    R"({"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<500"],"submetrics":null},"metric":"http_req_duration"})"
    "\n\n"
    R"({"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:01.5+00:00","value":20.5,"tags":{"scenario":"scenario1"}}})"
    "\n"
    R"({"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:02Z","value":30,"tags":{"scenario":"scenario1","status":"200"}}})"
    "\n"
    R"({"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default"},"metric":"http_reqs"})"
    "\n"
    R"({"metric":"http_reqs","type":"Point","data":{"time":"2024-01-01T00:00:02Z","value":1}})"
    "\n"
    R"({"metric":"http_reqs","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":{}}})";

TEST(NdjsonReader, HandWrittenPlainAndGzipAgree) {
  for (bool gzip : {false, true}) {
    SCOPED_TRACE(gzip ? "gzip" : "plain");
    auto path = WriteTempFile(gzip ? "hand.ndjson.gz" : "hand.ndjson", kHandWritten, gzip);
    compare::RunSummary run = Read(path);
    std::filesystem::remove(path);
    EXPECT_EQ(run.format, "k6 NDJSON");
    EXPECT_EQ(StatOf(run, "http_req_duration", "count"), 3);
    EXPECT_NEAR(StatOf(run, "http_req_duration", "avg"), 60.5 / 3, 1e-9);
    EXPECT_EQ(StatOf(run, "http_req_duration", "max"), 30);
    EXPECT_EQ(StatOf(run, "http_req_duration{scenario:scenario1}", "count"), 2);
    EXPECT_EQ(StatOf(run, "http_reqs", "count"), 2);
    ASSERT_TRUE(run.duration_s);
    EXPECT_DOUBLE_EQ(*run.duration_s, 2.0);
    EXPECT_EQ(StatOf(run, "http_reqs", "rate"), 1.0);
    EXPECT_TRUE(run.Find("http_req_duration")->is_time);
  }
}

TEST(NdjsonReader, MalformedLineIsAnErrorNamingTheLine) {
  std::string content(kHandWritten.substr(0, kHandWritten.find("\n\n") + 2));  // lines 1-3
  content += R"({"metric":"http_req_duration","type":"Point","data":{"time":"x","value":)"
             "\n";
  for (bool gzip : {false, true}) {
    auto path = WriteTempFile(gzip ? "bad.ndjson.gz" : "bad.ndjson", content, gzip);
    try {
      Read(path);
      ADD_FAILURE() << "no error for a malformed line";
    } catch (const K6FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("line 4:"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
  }
  NdjsonAggregator aggregator;
  EXPECT_THROW(aggregator.FeedLine(R"({"type":"Point","metric":"x","data":{"value":"7"}})", 9),
               K6FormatError);
  EXPECT_THROW(aggregator.FeedLine(R"([1,2])", 10), K6FormatError);
  EXPECT_THROW(aggregator.FeedLine(R"({"type":"Point","data":{"value":1}})", 11), K6FormatError);
}

// Found by fuzz_ndjson: points 343 years apart (each time valid on its own) overflowed the
// signed difference of their nanoseconds (undefined behaviour; a negative duration on x86).
TEST(NdjsonReader, TheDurationOfPointsCenturiesApartIsTheirDistance) {
  NdjsonAggregator aggregator;
  aggregator.FeedLine(
      R"({"metric":"http_reqs","type":"Point","data":{"time":"1683-11-21T00:00:00Z","value":1,"tags":null}})",
      1);
  aggregator.FeedLine(
      R"({"metric":"http_reqs","type":"Point","data":{"time":"2026-11-21T00:00:00Z","value":1,"tags":null}})",
      2);
  compare::RunSummary run = aggregator.Finish("centuries");
  ASSERT_TRUE(run.duration_s);
  EXPECT_NEAR(*run.duration_s, 343 * 365.2425 * 86400, 86400.0);
}

TEST(NdjsonReader, TruncatedGzipIsAnError) {
  std::string many;
  for (int i = 0; i < 2000; ++i) {
    many +=
        R"({"metric":"http_reqs","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":null}})";
    many += "\n";
  }
  auto path = WriteTempFile("cut.ndjson.gz", many, true);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  EXPECT_THROW(Read(path), K6FormatError);
  std::filesystem::remove(path);
}

TEST(SummaryReaders, OlderVersionsWithoutOptionalFields) {
  auto exported = WriteTempFile("old-export.json", R"js({"metrics":{
      "http_req_duration":{"avg":5,"min":1,"med":4,"max":9,"p(90)":8},
      "http_reqs":{"count":10,"rate":2},
      "checks":{"passes":9,"fails":1,"value":0.9}}})js");
  compare::RunSummary old = Read(exported);
  EXPECT_EQ(old.format, "k6 summary-export");
  EXPECT_EQ(StatOf(old, "http_req_duration", "p(90)"), 8);
  EXPECT_FALSE(old.Find("http_req_duration")->Stat("p(95)"));
  EXPECT_EQ(StatOf(old, "checks", "rate"), 0.9);
  EXPECT_TRUE(old.checks.empty());

  auto handled = WriteTempFile("old-handle.json", R"js({"metrics":{
      "http_req_duration":{"values":{"avg":5,"p(95)":7}},
      "iterations":{"type":"counter","values":{"count":3,"rate":1}, "thresholds":{"count>5":{"ok":false}}}},
      "root_group":{"groups":[{"checks":[{"name":"ok","passes":2,"fails":1}]}]}})js");
  compare::RunSummary data = Read(handled);
  EXPECT_EQ(data.format, "k6 handleSummary");
  EXPECT_EQ(data.Find("http_req_duration")->type, "trend");
  EXPECT_TRUE(data.Find("http_req_duration")->is_time);
  EXPECT_EQ(data.Find("iterations")->thresholds.at(0).failed, true);
  ASSERT_EQ(data.checks.size(), 1u);
  EXPECT_EQ(data.checks[0].fails, 1u);
  std::filesystem::remove(exported);
  std::filesystem::remove(handled);
}

TEST(SummaryReaders, ScenarioSubMetricOfTheProjectScriptServesAScenarioThreshold) {
  // What k6-tests/flowbench.js now makes k6 export: a per-scenario http_req_duration
  // sub-metric (declared by its max-below-timeout threshold), which a scenario threshold
  // such as 'scenario6:p95<50ms' resolves to. Before, the summary had no such metric.
  auto path = WriteTempFile("per-scenario-export.json", R"js({"metrics":{
      "http_req_duration":{"avg":40,"min":1,"med":3,"max":900,"p(90)":500,"p(95)":510,"p(99)":600},
      "http_req_duration{scenario:scenario6}":{"avg":2.1,"min":0.4,"med":1.8,"max":31,
        "p(90)":3.5,"p(95)":4.2,"p(99)":12.5,"thresholds":{"max<30000":false}},
      "http_reqs":{"count":1171,"rate":58.5}}})js");
  compare::RunSummary run = Read(path);
  compare::ThresholdVerdict pass =
      compare::EvaluateThreshold(compare::ParseThreshold("scenario6:p95<50ms"), run);
  EXPECT_TRUE(pass.passed) << pass.message;
  EXPECT_EQ(pass.metric_key, "http_req_duration{scenario:scenario6}");
  EXPECT_EQ(pass.observed, 4.2);
  compare::ThresholdVerdict breach =
      compare::EvaluateThreshold(compare::ParseThreshold("scenario6:p99<10ms"), run);
  EXPECT_FALSE(breach.passed) << breach.message;
  std::filesystem::remove(path);
}

TEST(ResultReader, UnknownFormatSaysWhatWasTried) {
  auto path = WriteTempFile("other.json", R"({"hello":"world"})");
  try {
    Read(path);
    ADD_FAILURE() << "no error";
  } catch (const K6FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("tried: "), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(Read("/no/such/file.json"), K6FormatError);
}

TEST(Rfc3339, ParsesK6Times) {
  EXPECT_EQ(ParseRfc3339Nanos("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339Nanos("1970-01-01T00:00:01.5Z"), 1'500'000'000);
  EXPECT_EQ(ParseRfc3339Nanos("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseRfc3339Nanos("2026-11-21T08:55:51.603412233Z"), 1'795'251'351'603'412'233);
  EXPECT_FALSE(ParseRfc3339Nanos("2026-11-21 08:55"));
  EXPECT_FALSE(ParseRfc3339Nanos("2026-11-21T08:55:51.Z"));
}

// Found by fuzz_rfc3339: nanoseconds since 1970 in 64 bits end in 2262 (and begin in 1677); a
// later time overflowed (undefined behaviour) into some other time instead of being refused.
TEST(Rfc3339, ATimeBeyondWhat64BitNanosecondsHoldIsNotOne) {
  EXPECT_FALSE(ParseRfc3339Nanos("2360-11-21T08:55:51+02:00"));
  EXPECT_FALSE(ParseRfc3339Nanos("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(ParseRfc3339Nanos("1600-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseRfc3339Nanos("2262-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseRfc3339Nanos("1678-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace flowbench::k6
