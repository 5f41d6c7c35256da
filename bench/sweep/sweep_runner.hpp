// `flowbench sweep`: for each build and scenario, step the offered rate (knee_search.hpp),
// each step measured as `flowbench run` measures one run (own_build.hpp: fresh tables and
// queues, the ten services started, warm-up, open-loop load, drain, stop), judged against the
// SLOs (step_verdict.hpp); the machine's physical limits measured first (bench/limits), so
// that every knee is also a fraction of what the hardware allows.
#pragma once

#include <atomic>
#include <functional>

#include "bench/run/run_options.hpp"
#include "bench/sweep/sweep_plan.hpp"
#include "bench/sweep/sweep_results.hpp"

namespace flowbench::sweep {

struct SweepProgress {
  run::ProgressPrinter during_step;  // once a second during a step (run's progress line)
  std::function<void(const SweepStep&)> step_done;
  std::function<void(const std::string&)> note;  // "measuring the physical limits", ...
};

// Runs the sweep. Setting `stop` (Ctrl-C) ends the current step; what was measured is kept
// and the results are marked interrupted. With options.out_dir set, sweep.json is written
// there after every step, so that nothing measured is lost to a crash either.
SweepResults RunSweep(const SweepOptions& options, const std::atomic<bool>& stop,
                      const SweepProgress& progress);

// The physical limit the path of `scenario` in `arch` meets first, and its name: the CPU for
// the report (cores / its CPU time); for a click the broker (async) or the database (sync);
// otherwise the lowest of the limits its path goes through.
std::pair<std::optional<double>, std::string> LimitFor(Arch arch, std::string_view scenario,
                                                       const std::vector<PhysicalLimit>& limits,
                                                       const WorkloadSettings& workload, int cores);

}  // namespace flowbench::sweep
