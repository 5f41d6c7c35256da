// One run's results in k6's vocabulary: per-metric stats ("avg", "med", "p(95)", "count",
// "rate", ...), threshold outcomes and checks. Every input `flowbench compare` reads (the
// three k6 formats, later flowbench's own results.json) is turned into this one shape, so
// tables and thresholds are written once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowbench::compare {

struct ThresholdOutcome {
  std::string expression;      // as the source wrote it: "p(99)<100"
  std::optional<bool> failed;  // nullopt: the source lists it without an outcome
};

struct MetricSummary {
  std::string type;      // "trend", "counter", "rate", "gauge"; empty when the source does not say
  bool is_time = false;  // values in milliseconds
  // k6's stat names: trend "avg" "min" "med" "max" "p(90)" "p(95)" "p(99)" (whichever the
  // source has), counter "count" "rate", rate "rate" "passes" "fails", gauge "value" "min" "max".
  std::map<std::string, double, std::less<>> stats;
  std::vector<ThresholdOutcome> thresholds;

  std::optional<double> Stat(std::string_view name) const;
};

struct CheckSummary {
  std::string name;
  std::uint64_t passes = 0;
  std::uint64_t fails = 0;
};

struct RunSummary {
  std::string source;  // the file it came from
  std::string format;  // "k6 summary-export", "k6 NDJSON", "k6 handleSummary", ...
  std::optional<double> duration_s;
  // Keyed as k6 keys sub-metrics: "http_req_duration", "http_req_duration{scenario:scenario6}".
  std::map<std::string, MetricSummary, std::less<>> metrics;
  std::vector<CheckSummary> checks;

  const MetricSummary* Find(std::string_view key) const;
};

// "http_req_duration{scenario:scenario6}"
std::string SubmetricKey(std::string_view metric, std::string_view tag, std::string_view value);

// Whether k6 measures this built-in metric in milliseconds (http_req_*, iteration_duration,
// group_duration); for sources that do not say (summary-export).
bool IsK6TimeMetric(std::string_view key);

// The canonical stat name for the spellings people use: "p95" -> "p(95)", "p50"/"median" ->
// "med", "mean" -> "avg", "p99.9" -> "p(99.9)"; others unchanged.
std::string CanonicalStatName(std::string_view stat);

}  // namespace flowbench::compare
