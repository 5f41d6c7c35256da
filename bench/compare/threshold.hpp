// Pass/fail gates on a run, in a k6-like syntax, for CI:
//   scenario6:p95<50ms                        p(95) of http_req_duration{scenario:scenario6}
//   http_req_duration{scenario:scenario1}:p(99)<=1.5s
//   http_req_failed:rate<1%        checks:rate>0.99        http_reqs:count>=100
// SELECTOR is a metric key, or a scenario name standing for its http_req_duration. STAT is
// k6's ("avg", "med", "p(95)", "count", "rate", ...; "p95", "p50", "mean" also accepted).
// VALUE may carry a time unit (ns, us, ms, s, m, h; time metrics are in ms) or a percent.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bench/compare/run_summary.hpp"

namespace flowbench::compare {

enum class Comparator { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

struct Threshold {
  std::string text;      // as written, for messages
  std::string selector;  // "scenario6", "http_req_duration{scenario:scenario6}"
  std::string stat;      // canonical: "p(95)"
  Comparator comparator = Comparator::kLess;
  double value = 0;  // in ms when time_unit, a fraction when it had a percent sign
  bool time_unit = false;
};

// Throws std::invalid_argument saying what is wrong and how it should look.
Threshold ParseThreshold(std::string_view text);

struct ThresholdVerdict {
  bool passed = false;
  std::string metric_key;          // what the selector resolved to in this run
  std::optional<double> observed;  // nullopt: no such metric or stat: a breach, never a pass
  std::string message;  // "p(95) of http_req_duration{scenario:scenario6} = 57.2 ms, not < 50 ms"
};

// A threshold on a metric without data fails: a gate that passes on no samples gates nothing.
ThresholdVerdict EvaluateThreshold(const Threshold& threshold, const RunSummary& run);

// The metric key a selector means in `run` (see the header comment).
std::string ResolveMetricKey(std::string_view selector, const RunSummary& run);

bool Compare(double observed, Comparator comparator, double limit);
std::string_view ComparatorText(Comparator comparator);

}  // namespace flowbench::compare
