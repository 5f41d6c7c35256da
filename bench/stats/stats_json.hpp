// JSON for results files: a histogram keeps its non-empty buckets (so a report can be
// regenerated, and runs merged, from the file alone) next to the summary a reader wants.
#pragma once

#include <boost/json/value.hpp>

#include "bench/stats/recorder.hpp"

namespace flowbench::stats {

// {"count", "mean_ms", "stdev_ms", "min_ms", "p50_ms", ..., "max_ms"}: for people and charts.
boost::json::object SummaryToJson(const HistogramSummary& summary);

// {"unit": "ns", "sub_bucket_bits": 8, "count", "min", "max", "sum", "saturated",
//  "buckets": [[index, count], ...]}: lossless.
boost::json::object HistogramToJson(const LatencyHistogram& histogram);
LatencyHistogram HistogramFromJson(const boost::json::value& json);  // throws invalid_argument

boost::json::object ErrorsToJson(const ErrorCounts& errors);  // {"connect": n, ...}
ErrorCounts ErrorsFromJson(const boost::json::value& json);

// {"started", "completed", "dropped", "errors", "latency": summary, "latency_uncorrected":
//  summary, "histogram", "histogram_uncorrected"}
boost::json::object RecorderToJson(const Recorder& recorder);
Recorder RecorderFromJson(const boost::json::value& json);

}  // namespace flowbench::stats
