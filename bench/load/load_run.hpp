// The load engine, the wrk2 way: `threads` workers, each an io_context on its own thread
// with its own share of every scenario's VUs and its own stats::Recorder per scenario (no
// locks on the hot path, one relaxed load of the stop flag per iteration) and its own vector
// of RequestRecords (one per iteration, ~56 bytes); both are merged after the workers stop.
//
//   load::LoadRun run(scenarios, options);
//   std::thread stopper = ...;                 // e.g. on SIGINT: run.Stop()
//   load::LoadResult result = run.Run([](const load::ProgressSnapshot& p) { ...print... });
//   result.scenarios[i].recorder.Corrected().Summary() ...
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bench/load/load_plan.hpp"
#include "bench/stats/recorder.hpp"

namespace flowbench::load {

struct ScenarioProgress {
  std::string name;
  stats::Recorder recorder;  // everything so far, all workers merged
};

// Once per progress_interval, for a live progress line.
struct ProgressSnapshot {
  Duration elapsed{};
  Duration total{};                // the longest scenario's planned duration
  std::uint64_t completed = 0;     // requests that ended, all scenarios
  double requests_per_second = 0;  // over the last interval
  double offered_per_second = 0;   // started or dropped (due by the schedule), last interval
  std::uint64_t errors = 0;
  std::uint64_t dropped = 0;
  std::int64_t p95_ns = 0;  // corrected latency, all scenarios, so far
  std::int64_t p50_ns = 0, p99_ns = 0;
  std::vector<ScenarioProgress> scenarios;
  // The load's start on the system clock (LoadResult::start_unix_ns, known before the run
  // ends): what joins completion records to their intended send times while it runs.
  std::int64_t start_unix_ns = 0;
};
using ProgressHook = std::function<void(const ProgressSnapshot&)>;

// What the engine recorded for one scenario, all workers merged (raw histograms; run/ turns it
// into the report's report::ScenarioResult).
struct ScenarioRecording {
  std::string name;
  stats::Recorder recorder;  // the measured window only (warm-up excluded)
  // Measured requests started but not finished when the run ended (graceful_stop passed, or
  // Stop()): their records have fate kCut.
  std::uint64_t interrupted = 0;
  // Every iteration the schedule asked for, warm-up included, ordered by `intended`.
  std::vector<RequestRecord> requests;
  // Open loop: iterations due in the measured window by the schedule (dropped included),
  // the same for both builds with the same seed; closed loop: iterations started.
  std::uint64_t scheduled = 0;
  bool open_loop = false;  // an arrival-rate executor (its `intended` times are the schedule's)
};

struct LoadResult {
  std::vector<ScenarioRecording> scenarios;  // in the order given
  Duration elapsed{};                        // from the start to the last worker stopping
  bool stopped_early = false;                // Stop() was called
  Clock::time_point start;                   // every RequestRecord's times count from here
  std::int64_t start_unix_ns = 0;            // `start` on the system clock (for joining)
  double client_cpu_s = 0;                   // this process's CPU time during the run
};

class LoadRun {
 public:
  LoadRun(std::vector<ScenarioLoad> scenarios, LoadOptions options);
  ~LoadRun();

  // Runs every scenario at once until their schedules end (plus graceful_stop at most), or
  // until Stop(). Calls `progress` from the calling thread. Run once.
  LoadResult Run(const ProgressHook& progress = {});

  // Safe from any thread (a signal-handling thread): no new iterations start; in-flight ones
  // get one second, then the run ends and Run() returns what was measured.
  void Stop();

 private:
  struct Worker;
  std::vector<ScenarioLoad> scenarios_;
  LoadOptions options_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace flowbench::load
