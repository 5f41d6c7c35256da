// One architecture x profile x repeat of `flowbench run`, against a measured build that is
// running and healthy: warm up, drive the selected scenarios at once on the experiment's
// schedule, wait for the accepted work to finish (the async backlog drains), and record what
// the report shows: answer latency of every request from its intended send time, the exact
// completion of each accepted request (the services' completion records joined to the
// driver's request ids) and what became of it, per-second series, queue depths, CPU and
// memory, and the generator's audit of itself.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "bench/network/relayed_parts.hpp"
#include "bench/report/results.hpp"
#include "bench/run/measured_build.hpp"
#include "bench/run/run_options.hpp"
#include "bench/run/samplers.hpp"
#include "bench/run/statistics.hpp"
#include "common/domain/profiles.hpp"

namespace flowbench::run {

// Where a run reads its queue depths from, and what the report calls that source.
struct QueueObservation {
  QueueDepthReader reader;  // empty: not sampled
  std::string source;       // "amqp" | "management-api" | "not-sampled" | "none"
};

struct Measurement {
  report::ProfileRun run;
  RunHistograms histograms;  // per scenario, for the comparison's intervals
  // Per scenario: work not done yet at the end of each second of the measured window
  // (BacklogPerSecond); only with per-request completion records.
  std::map<std::string, std::vector<std::uint64_t>> backlog;
};

// `seed`: the arrival schedules' (the same for both builds of one repeat). `running`: the
// processes flowbench started for `system`, needed by options.faults (null for --target).
Measurement MeasureOnce(const MeasuredBuild& system, const QueueObservation& queues,
                        const Profile& profile, int repeat, std::uint64_t seed,
                        const RunOptions& options, const std::atomic<bool>& stop,
                        const ProgressPrinter& print, RunningSystem* running = nullptr,
                        network::RelayedParts* links = nullptr);

}  // namespace flowbench::run
