// What the live console shows of a running experiment (`flowbench run --ui`, `sweep --ui`):
// the run's progress, once a second, kept per run of each build. The run's progress printer
// calls Update() (cheap: a copy under a mutex, on the thread that already prints the progress
// line); the console's server thread calls Json(). Nothing here touches the measurement.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/run/fault_plan.hpp"
#include "bench/run/run_options.hpp"

namespace flowbench::console {

// One second of one run.
struct LivePoint {
  double t = 0;       // seconds since the run's load started (warm-up included)
  std::string phase;  // "warm-up" | "load" | "draining"
  double offered_per_s = 0, answered_per_s = 0;
  double p50_ms = 0, p99_ms = 0;  // answer latency (corrected), measured window so far
  // Completion latency (the work's end, from the intended send), measured window so far, from
  // the completion records read while the run goes; nullopt (JSON null) when none was seen yet
  // or none is tracked: `completion_note` says why (or what the figure leaves out).
  std::optional<double> completion_p50_ms, completion_p99_ms;
  std::uint64_t completions = 0;
  std::string completion_note;
  std::uint64_t errors = 0, dropped = 0, backlog = 0;
  std::string fault;  // the fault phase: "" without faults
};

// One run of one build (a repeat, a sweep step).
struct LiveRun {
  std::string arch, profile;
  int repeat = 1, repeats = 1;
  double total_s = 0, warmup_s = 0;
  std::vector<LivePoint> points;
  std::vector<std::pair<std::string, std::uint64_t>> queues;  // depths now
};

// "broker-kill:rabbitmq on (3 of 10 s)", "before broker-kill:rabbitmq (at 20 s)",
// "after broker-kill:rabbitmq": where `measured_s` (seconds into the measured window; negative
// in the warm-up) stands in the fault plan; "" without faults.
std::string FaultPhase(const std::vector<run::FaultSpec>& faults, double measured_s);

class LiveState {
 public:
  // At most this many runs (the newest) and points per run are kept: a long sweep's console
  // costs a bounded amount of memory.
  explicit LiveState(std::string command, std::size_t max_runs = 64, std::size_t max_points = 3600);

  void SetFaults(std::vector<run::FaultSpec> faults);
  // One progress update: a point for its second, in its run's series (a new run when the
  // build, profile or repeat changes, or when the clock starts again: a sweep's next step).
  void Update(const run::Progress& progress);
  // The experiment ended; its results are in `results_dir` (shown as a link).
  void Finish(std::string results_dir);

  // {"live": true, "command", "finished", "results_dir", "runs": [...]} (README.md).
  std::string Json() const;

 private:
  mutable std::mutex mutex_;
  std::string command_;
  std::size_t max_runs_, max_points_;
  std::vector<run::FaultSpec> faults_;
  std::vector<LiveRun> runs_;
  bool finished_ = false;
  std::string results_dir_;
};

}  // namespace flowbench::console
