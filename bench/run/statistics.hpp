// The statistics results.json carries (schema v2, bench/report/METHODS.md): the within-run
// intervals of a scenario's percentiles, and the sync/async comparison of each figure with
// the interval of its ratio. Computed at the end of `flowbench run` from the per-request
// histograms, which results.json does not keep (hence here, not in bench/report).
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "bench/report/results.hpp"
#include "bench/stats/latency_histogram.hpp"

namespace flowbench::run {

// One scenario of one run, in nanoseconds, one sample per request: `answer` from the
// intended send time to the answer, `completion` from the intended send time to the end of
// the request's last piece of work (empty when completion was not joined per request).
struct ScenarioHistograms {
  stats::LatencyHistogram answer, completion;
};
using RunHistograms = std::map<std::string, ScenarioHistograms>;  // scenario id -> histograms

// Order-statistic 95 % intervals, in seconds, keyed "answer.p50", "answer.p90", "answer.p99",
// "answer.p99.9", "completion.p50", "completion.p99"; a key is absent when its histogram
// holds too few samples for both bounds (e.g. fewer than 368 for a p99).
std::map<std::string, report::Interval> WithinRunIntervals(const ScenarioHistograms& histograms);

// The figures CompareBuilds compares, in this order.
inline constexpr const char* kComparedFigures[] = {"answer.p50", "answer.p99", "completion.p50",
                                                   "completion.p99", "throughput"};

// Sync against async for every profile, scenario and figure of kComparedFigures that both
// builds ran; ratio = sync / async. With at least 3 repeats of both builds: each build's
// per-repeat values get Student's t interval of their mean, the ratio (of geometric means)
// Welch's interval on logarithms ("welch-log"). Otherwise each build's first repeat: the
// percentile's order-statistic interval from its histogram, the ratio's by Bonferroni
// ("bonferroni"); a throughput then has no interval ("none"). A figure without enough samples,
// or a completion figure that is only a lower bound (a run that did not drain), gets no
// interval and is not distinguishable. `histograms` is parallel to results.runs (may be
// shorter, or lack a scenario: no histogram, no interval).
std::vector<report::ComparedFigure> CompareBuilds(const report::RunResults& results,
                                                  std::span<const RunHistograms> histograms);

}  // namespace flowbench::run
