// `flowbench compare --merge`: several k6 --out json outputs of one run become one run. On a
// real run split across two k6 instances (testdata/real-k6/segments) the merged counts are
// the inputs' together; on one output split in two here, the merged run is the unsplit one,
// percentiles included (the samples land in one histogram, nothing is averaged).
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "bench/k6/k6_error.hpp"
#include "bench/k6/k6_samples.hpp"
#include "bench/k6/ndjson_reader.hpp"
#include "bench/k6/result_reader.hpp"

namespace flowbench::k6 {
namespace {

using testing::K6SamplesDir;
using testing::StatOf;
using testing::WriteTempFile;

using Paths = std::vector<std::filesystem::path>;

compare::RunSummary Merge(const Paths& paths) {
  return ReadMergedResultFiles(paths, DefaultResultReaders());
}

std::string Gunzip(const std::filesystem::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  EXPECT_NE(file, nullptr) << path;
  std::string text;
  char buffer[1 << 16];
  for (int n; file != nullptr && (n = gzread(file, buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(n));
  }
  if (file != nullptr) gzclose(file);
  return text;
}

class RealK6Segments : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(Dir() / "whole.ndjson.gz"))
        << "k6 segment samples not found in " << Dir() << " (set FLOWBENCH_K6_SAMPLES)";
  }
  static std::filesystem::path Dir() { return K6SamplesDir() / "segments"; }
  static Paths Segments() {
    return {Dir() / "segment-0-1_2.ndjson.gz", Dir() / "segment-1_2-1.ndjson.gz"};
  }
};

TEST_F(RealK6Segments, MergedCountsAreTheSegmentsTogether) {
  compare::RunSummary first = ReadNdjsonFile(Segments()[0]);
  compare::RunSummary second = ReadNdjsonFile(Segments()[1]);
  compare::RunSummary merged = Merge(Segments());
  EXPECT_EQ(merged.format, "k6 NDJSON, 2 outputs merged");
  EXPECT_EQ(StatOf(first, "http_reqs", "count") + StatOf(second, "http_reqs", "count"), 1171);

  std::size_t compared = 0;
  for (const auto& [key, m] : merged.metrics) {
    SCOPED_TRACE(key);
    const compare::MetricSummary* a = first.Find(key);
    const compare::MetricSummary* b = second.Find(key);
    auto stat = [](const compare::MetricSummary* m, const char* name) {
      return m == nullptr ? 0.0 : m->Stat(name).value_or(0.0);
    };
    if (m.type == "counter" || m.type == "trend") {
      EXPECT_EQ(m.stats.at("count"), stat(a, "count") + stat(b, "count"));
      ++compared;
    }
    if (m.type == "rate") {
      EXPECT_EQ(m.stats.at("passes"), stat(a, "passes") + stat(b, "passes"));
      EXPECT_EQ(m.stats.at("fails"), stat(a, "fails") + stat(b, "fails"));
      ++compared;
    }
    if (m.type == "trend" && a != nullptr && b != nullptr) {
      EXPECT_EQ(m.stats.at("min"), std::min(stat(a, "min"), stat(b, "min")));
      EXPECT_EQ(m.stats.at("max"), std::max(stat(a, "max"), stat(b, "max")));
      EXPECT_GE(m.stats.at("p(95)"), std::min(stat(a, "p(95)"), stat(b, "p(95)")));
      EXPECT_LE(m.stats.at("p(95)"), std::max(stat(a, "p(95)"), stat(b, "p(95)")));
    }
  }
  EXPECT_GT(compared, 20u);  // every metric and scenario sub-metric of the project script
  // Each segment runs its share of the iterations, so not every check in each.
  auto passes = [](const compare::RunSummary& run, const std::string& name) {
    auto it = std::find_if(run.checks.begin(), run.checks.end(),
                           [&](const compare::CheckSummary& c) { return c.name == name; });
    return it == run.checks.end() ? 0 : it->passes;
  };
  std::uint64_t total = 0;
  for (const compare::CheckSummary& check : merged.checks) {
    EXPECT_EQ(check.passes, passes(first, check.name) + passes(second, check.name)) << check.name;
    total += check.passes;
  }
  EXPECT_EQ(total, StatOf(merged, "checks", "passes"));
  // The two ran at the same time: the union of their spans, not the sum.
  ASSERT_TRUE(merged.duration_s && first.duration_s && second.duration_s);
  EXPECT_GE(*merged.duration_s, std::max(*first.duration_s, *second.duration_s));
  EXPECT_LT(*merged.duration_s, *first.duration_s + *second.duration_s);
  // The rate is over the whole run's span.
  EXPECT_NEAR(StatOf(merged, "http_reqs", "rate"), 1171 / *merged.duration_s, 1e-9);
}

TEST_F(RealK6Segments, MergedSegmentsCountWhatTheWholeRunCounted) {
  compare::RunSummary whole = ReadNdjsonFile(Dir() / "whole.ndjson.gz");
  compare::RunSummary merged = Merge(Segments());
  for (const char* key : {"http_reqs", "iterations", "http_reqs{scenario:scenario1}",
                          "http_reqs{scenario:scenario6}"}) {
    EXPECT_EQ(StatOf(merged, key, "count"), StatOf(whole, key, "count")) << key;
  }
}

// One output split line by line into two (every Metric line in both, the Points alternately)
// merges back into exactly what the unsplit output says.
TEST(NdjsonMerge, AnOutputSplitInTwoMergesBackIntoTheSameRun) {
  std::string text = Gunzip(K6SamplesDir() / "out.ndjson.gz");
  std::string halves[2];
  std::size_t points = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    std::string_view line(text.data() + start,
                          (end == std::string::npos ? text.size() : end) - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (line.find(R"("type":"Point")") == std::string_view::npos) {
      for (std::string& half : halves) (half += line) += '\n';
    } else {
      (halves[points++ % 2] += line) += '\n';
    }
  }
  ASSERT_GT(points, 1000u);
  Paths parts{WriteTempFile("half-a.ndjson.gz", halves[0], /*gzip=*/true),
              WriteTempFile("half-b.ndjson", halves[1])};
  compare::RunSummary merged = Merge(parts);
  for (const auto& part : parts) std::filesystem::remove(part);
  compare::RunSummary unsplit = ReadNdjsonFile(K6SamplesDir() / "out.ndjson.gz");

  ASSERT_EQ(merged.metrics.size(), unsplit.metrics.size());
  for (const auto& [key, m] : unsplit.metrics) {
    if (m.type == "gauge") continue;  // the last value read depends on the order of the files
    for (const auto& [stat, value] : m.stats) {
      SCOPED_TRACE(key + " " + stat);
      // Sums in another order may differ in the last bits; everything else is exact.
      EXPECT_NEAR(StatOf(merged, key, stat), value, 1e-12 * std::abs(value));
      if (stat.starts_with("p(") || stat == "med" || stat == "count") {
        EXPECT_EQ(StatOf(merged, key, stat), value);
      }
    }
  }
  EXPECT_EQ(merged.duration_s, unsplit.duration_s);
  EXPECT_EQ(StatOf(merged, "http_reqs", "count"), 317);
}

TEST(NdjsonMerge, ASummaryCannotBeMerged) {
  Paths parts{K6SamplesDir() / "out.ndjson.gz", K6SamplesDir() / "summary-export.json"};
  try {
    Merge(parts);
    ADD_FAILURE() << "no error";
  } catch (const K6FormatError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("summary-export.json: --merge takes k6 --out json outputs"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("this is k6 --summary-export"), std::string::npos) << what;
  }
  EXPECT_THROW(Merge({K6SamplesDir() / "out.ndjson.gz", "/no/such/file.ndjson"}), K6FormatError);
}

}  // namespace
}  // namespace flowbench::k6
