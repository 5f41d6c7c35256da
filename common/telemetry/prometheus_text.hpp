// A reader of the Prometheus text exposition format (0.0.4), what every service serves on
// /metrics: the one parser that the driver, the demo and the tests read scrapes with.
//
//   prometheus_text::Exposition scrape = prometheus_text::ParseText(body);
//   double failures = scrape.Sum("flowbench_downstream_failures_total", {{"target", "email"}});
//
// Comment lines (# HELP, # TYPE, any other #) and blank lines are skipped; label values are
// unescaped (\\, \" and \n); a value may be a float, +Inf, -Inf or NaN, and may be followed
// by a timestamp (read and ignored). A line that is none of these is not guessed at: it is
// kept in Exposition::unreadable for the caller to report.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowbench::prometheus_text {

using Labels = std::map<std::string, std::string, std::less<>>;

// One sample line: `name{label="value",...} value [timestamp]`. A histogram's series are
// samples of their own: name_bucket (with le), name_sum and name_count.
struct Sample {
  std::string name;
  Labels labels;
  double value = 0;

  // The value of label `label`, nullopt when the sample does not carry it.
  std::optional<std::string> Label(std::string_view label) const;
  // Whether every label of `wanted` is on this sample with that value (others may be too).
  bool HasLabels(const Labels& wanted) const;
};

struct Exposition {
  std::vector<Sample> samples;          // in the order of the text
  std::vector<std::string> unreadable;  // lines neither a comment, blank, nor a sample

  // The sum of the values of every sample named `name` that carries `labels` (0 when none).
  double Sum(std::string_view name, const Labels& labels = {}) const;
  // The value of the first sample named `name` that carries `labels`.
  std::optional<double> First(std::string_view name, const Labels& labels = {}) const;
};

Exposition ParseText(std::string_view text);

// Parses one sample line (no comment, no newline); nullopt when it is not one.
std::optional<Sample> ParseSampleLine(std::string_view line);

// A value as the format writes it (also a histogram's le bound): a float, +Inf, -Inf or NaN;
// nullopt when `text` is none of these.
std::optional<double> ParseValue(std::string_view text);

}  // namespace flowbench::prometheus_text
