// The side-by-side table of `flowbench compare`: runs as columns, the first one the
// baseline, every other with its delta and ratio to it; markdown, so it pastes into a PR.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "bench/compare/run_summary.hpp"
#include "bench/compare/threshold.hpp"

namespace flowbench::compare {

struct CompareOptions {
  // Metric names (the part before '{') or full keys to show; empty: the usual ones
  // (http_req_duration and its per-scenario sub-metrics, http_req_failed, http_reqs,
  // iterations, dropped_iterations, checks).
  std::vector<std::string> metrics;
  bool all_metrics = false;
};

std::string CompareTable(std::span<const RunSummary> runs, const CompareOptions& options);

// What `flowbench compare` (and the console's comparison) shows without --metric: k6's usual
// ones, and the completion latency flowbench's own results carry (work done, not just
// answered: the figure an async comparison is about).
std::vector<std::string> DefaultCompareMetrics();

// The thresholds each run's source evaluated itself (k6's own), as a markdown list; empty
// when there are none.
std::string SourceThresholds(std::span<const RunSummary> runs);

struct ThresholdReport {
  std::string text;  // markdown
  bool breached = false;
};
// Every threshold on every run; a breach on any run is a breach.
ThresholdReport CheckThresholds(std::span<const RunSummary> runs,
                                std::span<const Threshold> thresholds);

}  // namespace flowbench::compare
