#include "bench/run/results_conversion.hpp"

#include <cmath>
#include <map>

namespace flowbench::run {

report::LatencySummary ToSeconds(const stats::HistogramSummary& s) {
  constexpr double kNs = 1e-9;
  return {s.count,        s.mean_ns * kNs, s.stdev_ns * kNs, s.min_ns * kNs,  s.p50_ns * kNs,
          s.p90_ns * kNs, s.p95_ns * kNs,  s.p99_ns * kNs,   s.p999_ns * kNs, s.max_ns * kNs};
}

std::vector<report::Bucket> Distribution(const stats::LatencyHistogram& h) {
  // Each fine bucket goes to the first chart bucket whose bound is at or above its midpoint.
  std::map<int, std::uint64_t> grouped;
  for (int i = 0; i < stats::LatencyHistogram::kCountsLength; ++i) {
    std::uint64_t n = h.CountAt(i);
    if (n == 0) continue;
    double mid_ns = static_cast<double>(stats::LatencyHistogram::LowestAt(i)) +
                    static_cast<double>(stats::LatencyHistogram::WidthAt(i)) / 2.0;
    int k = mid_ns <= 1000.0
                ? 0
                : static_cast<int>(std::ceil(std::log(mid_ns / 1000.0) / std::log(1.25)));
    grouped[k] += n;
  }
  std::vector<report::Bucket> buckets;
  for (const auto& [k, n] : grouped) buckets.push_back({1e-6 * std::pow(1.25, k), n});
  return buckets;
}

report::ScenarioResult ToScenarioResult(const std::string& scenario, const std::string& executor,
                                        const stats::Recorder& recorder, double duration_s) {
  report::ScenarioResult r;
  r.scenario = scenario;
  r.executor = executor;
  r.requests = recorder.Completed();
  r.dropped_iterations = recorder.Dropped();
  r.throughput_rps = duration_s > 0 ? static_cast<double>(r.requests) / duration_s : 0;
  r.latency = ToSeconds(recorder.Corrected().Summary());
  r.latency_uncorrected = ToSeconds(recorder.Uncorrected().Summary());
  const stats::ErrorCounts& e = recorder.Errors();
  r.errors = {e.Of(stats::ErrorKind::kConnect), e.Of(stats::ErrorKind::kTimeout),
              e.Of(stats::ErrorKind::kStatus), e.Of(stats::ErrorKind::kCheck)};
  r.distribution = Distribution(recorder.Corrected());
  return r;
}

}  // namespace flowbench::run
