#include "bench/load/generator_audit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace flowbench::load {
namespace {

double Ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Nearest rank over sorted samples, as LatencyHistogram reads its percentiles
// (bench/stats/PERCENTILES.md), but exact: rank ceil(p/100 n), at least 1.
Duration NearestRank(const std::vector<Duration>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::string Format(const char* format, double a, double b) {
  char text[200];
  std::snprintf(text, sizeof text, format, a, b);
  return text;
}

}  // namespace

GeneratorAudit AuditGenerator(const LoadResult& result, const AuditBounds& bounds) {
  GeneratorAudit audit;
  audit.client_cpu_s = result.client_cpu_s;
  std::vector<Duration> lags;
  std::uint64_t scheduled = 0, started = 0;
  for (const ScenarioRecording& s : result.scenarios) {
    // A closed loop has no schedule to keep: its intended time is its send time.
    if (!s.open_loop) continue;
    scheduled += s.scheduled;
    for (const RequestRecord& r : s.requests) {
      if (r.warmup || r.sent < Duration::zero()) continue;
      ++started;
      lags.push_back(r.sent - r.intended);
    }
  }
  if (scheduled > 0) {
    audit.achieved_over_intended = static_cast<double>(started) / static_cast<double>(scheduled);
  }
  if (!lags.empty()) {
    std::sort(lags.begin(), lags.end());
    audit.send_lag_p50_ms = Ms(NearestRank(lags, 50));
    audit.send_lag_p99_ms = Ms(NearestRank(lags, 99));
    audit.send_lag_max_ms = Ms(lags.back());
  }

  if (audit.achieved_over_intended < bounds.min_achieved_over_intended) {
    std::string sentence =
        Format("the generator started %.1f %% of the scheduled requests (below %g %%)",
               100 * audit.achieved_over_intended, 100 * bounds.min_achieved_over_intended);
    if (result.stopped_early) sentence += "; the run was stopped early";
    audit.problems.push_back(std::move(sentence));
  }
  if (audit.send_lag_p99_ms > Ms(bounds.max_send_lag_p99)) {
    audit.problems.push_back(
        Format("the generator sent late: send lag p99 %.1f ms (above %g ms), so the corrected "
               "latencies hold the client's delay as well as the service's",
               audit.send_lag_p99_ms, Ms(bounds.max_send_lag_p99)));
  }
  audit.valid = audit.problems.empty();
  return audit;
}

}  // namespace flowbench::load
