// One architecture x profile x repeat of `flowbench run`, against a measured build that is
// running and healthy: drive the selected scenarios at once, wait for the accepted work to
// finish (the async backlog drains), and record what the report shows: client latency and
// errors, completion latency from the services' own histograms, queue depths, CPU and memory.
#pragma once

#include <atomic>
#include <string>

#include "bench/report/results.hpp"
#include "bench/run/measured_build.hpp"
#include "bench/run/run_options.hpp"
#include "bench/run/samplers.hpp"
#include "common/domain/profiles.hpp"

namespace flowbench::run {

// Where a run reads its queue depths from, and what the report calls that source.
struct QueueObservation {
  QueueDepthReader reader;  // empty: not sampled
  std::string source;       // "amqp" | "management-api" | "not-sampled" | "none"
};

report::ProfileRun MeasureOnce(const MeasuredBuild& system, const QueueObservation& queues,
                               const Profile& profile, int repeat, const RunOptions& options,
                               const std::atomic<bool>& stop, const ProgressPrinter& print);

}  // namespace flowbench::run
