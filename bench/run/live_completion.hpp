// Completion latency while the load still runs, for the live console: each completion record
// read during the run joined to its request's intended send time, which an open loop's
// schedule knows in advance (ArrivalSchedule::OffsetOf(iteration)), so that the join needs
// neither the load engine's records nor a lock on its hot path. The report's exact figures
// come from JoinCompletions after the drain, not from here: this one counts every done or
// compensated record of the measured window (the report only those of accepted requests) and
// the first record read of a request (the report its earliest end).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/load/arrival_schedule.hpp"
#include "bench/run/completion_join.hpp"
#include "bench/stats/latency_histogram.hpp"
#include "common/telemetry/completion_log.hpp"

namespace flowbench::run {

// One scenario as the live join sees it. A closed loop has no schedule: its intended send time
// is its send time, which only the driver's records know, after the run.
struct LiveCompletionScenario {
  std::string name;
  std::string request_id_prefix;
  std::optional<load::ArrivalSchedule> schedule;
};

struct LiveCompletionFigures {
  // From the intended send to the end of the work, measured window so far; nullopt when no
  // completion was seen yet or none is tracked (`note` says why).
  std::optional<double> p50_s, p99_s;
  std::uint64_t completions = 0;
  // Why there is no figure, or what it leaves out; "" when it covers every scenario.
  std::string note;
};

// JoinNew from the thread that reads the records, Figures from the one that shows them.
class LiveCompletion {
 public:
  LiveCompletion(std::vector<LiveCompletionScenario> scenarios, load::Duration warmup);

  // Joins `records[joined so far ..]` (a collector's records only grow), with the load's start
  // and the services' clock offset.
  void JoinNew(const std::vector<CompletionRecord>& records, const JoinClock& clock);
  LiveCompletionFigures Figures() const;

 private:
  void Join(const CompletionRecord& record, const JoinClock& clock);

  mutable std::mutex mutex_;
  std::vector<LiveCompletionScenario> scenarios_;
  load::Duration warmup_;
  std::vector<std::vector<bool>> seen_;  // per scenario, by iteration: its first record counts
  std::size_t joined_ = 0;
  stats::LatencyHistogram completion_;
  std::uint64_t before_intended_ = 0;  // a misjudged clock offset: not charted, counted
};

}  // namespace flowbench::run
