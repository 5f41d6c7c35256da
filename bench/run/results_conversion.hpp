// From the load engine's recorders to the results model: nanoseconds become seconds, the
// fine histogram becomes a chart-sized distribution; nothing is rounded in between.
#pragma once

#include "bench/report/results.hpp"
#include "bench/stats/recorder.hpp"

namespace flowbench::run {

report::LatencySummary ToSeconds(const stats::HistogramSummary& summary);

// Buckets growing by 25 % from 1 µs: the histogram's counts regrouped for report charts.
std::vector<report::Bucket> Distribution(const stats::LatencyHistogram& histogram);

// `duration_s` turns counts into rates.
report::ScenarioResult ToScenarioResult(const std::string& scenario, const std::string& executor,
                                        const stats::Recorder& recorder, double duration_s);

}  // namespace flowbench::run
