// Completion latency from the services' own histograms: scrape
// flowbench_scenario_completion_seconds from every /metrics before and after a run, take the
// bucket differences, and read percentiles off them (as PromQL's histogram_quantile does).
// The services observe completion where the work really ends; the driver cannot see it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/results.hpp"

namespace flowbench::run {

// Cumulative counts per upper bound of one histogram series, plus its _sum and _count.
struct BucketCounts {
  std::map<double, double> cumulative;  // le -> count (le = +Inf as infinity)
  double sum = 0;
  double count = 0;
};

// From Prometheus text exposition: every series of `metric` whose labels include
// `label`="...", keyed by that label's value, summed over the other labels (services).
std::map<std::string, BucketCounts> ParseHistograms(std::string_view exposition,
                                                    std::string_view metric,
                                                    std::string_view label);

// Adds `more` into `into` (several services expose the same scenario).
void Accumulate(BucketCounts& into, const BucketCounts& more);

// after - before, bucket by bucket (a run's own observations).
BucketCounts Difference(const BucketCounts& after, const BucketCounts& before);

// Percentiles by linear interpolation inside the bucket (as PromQL's histogram_quantile; not
// the driver's nearest rank, as only bucket counts are known: bench/stats/PERCENTILES.md),
// mean from _sum/_count. min, max and stdev are estimates from bucket bounds and midpoints
// (SCHEMA.md says so); nullopt when nothing was observed.
std::optional<report::LatencySummary> Summarise(const BucketCounts& buckets);

// GET http://host:port/metrics; nullopt when the service does not answer 200 (the caller
// reports completion as not measured rather than guessing).
std::optional<std::string> ScrapeMetrics(const std::string& base_url);

}  // namespace flowbench::run
