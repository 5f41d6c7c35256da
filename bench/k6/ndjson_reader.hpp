// k6's `--out json=FILE[.gz]` stream: one JSON object per line,
//   {"type":"Metric","metric":NAME,"data":{"name","type","contains","thresholds",...}}
//   {"type":"Point","metric":NAME,"data":{"time":RFC3339,"value":NUMBER,"tags":{...}|null}}
// read in constant memory (a histogram per metric and per `scenario` tag, never the points),
// so a multi-GB stream is fine. Plain or gzip (detected by content, not by name).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "bench/compare/run_summary.hpp"
#include "bench/stats/latency_histogram.hpp"

namespace flowbench::k6 {

// Feeds lines one by one; Finish() turns what it saw into a RunSummary. Trend stats come
// from a histogram of value x 1e6 (ms -> ns for time metrics), so percentiles are within
// 0.4 %; avg, min, max and counts are exact. The percentiles are the driver's nearest rank,
// not k6's interpolation between ranks (bench/stats/PERCENTILES.md).
class NdjsonAggregator {
 public:
  NdjsonAggregator();
  ~NdjsonAggregator();
  NdjsonAggregator(NdjsonAggregator&&) noexcept;
  NdjsonAggregator& operator=(NdjsonAggregator&&) noexcept;

  // Throws K6FormatError naming `line_number` when the line is not a k6 JSON output line.
  void FeedLine(std::string_view line, std::uint64_t line_number);
  compare::RunSummary Finish(std::string source) const;

  std::uint64_t Points() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads a whole file (plain or gzip) through an aggregator. Errors name the file and line.
compare::RunSummary ReadNdjsonFile(const std::filesystem::path& path);

// Several --out json outputs of ONE run, one per k6 instance (`--execution-segment`), read
// through one aggregator: every point lands in the same histograms, so the percentiles are
// those of all the samples together (not an average of per-file percentiles); counters,
// counts, rates' passes and fails, and check tallies add up; the duration runs from the
// earliest point of any file to the latest. A gauge (vus) keeps the last point read, of the
// last file: separate streams give no instant at which to add them up.
compare::RunSummary ReadMergedNdjsonFiles(std::span<const std::filesystem::path> paths);

// Nanoseconds since the epoch of an RFC 3339 time ("2026-11-21T08:55:51.603412233Z",
// "...+02:00"); nullopt when it is not one, or is outside 1677..2262 (what 64 bits hold).
std::optional<std::int64_t> ParseRfc3339Nanos(std::string_view text);

}  // namespace flowbench::k6
