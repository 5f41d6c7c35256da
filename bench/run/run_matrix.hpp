// `flowbench run`: for each architecture, profile and repeat: reset the data, start the ten
// services, drive the six scenarios at once, wait for the accepted work to finish (the async
// backlog drains), record everything a report shows, stop the services. With targets, the
// same measurement against a deployment flowbench did not start (no reset, no start/stop).
#pragma once

#include <atomic>

#include "bench/report/results.hpp"
#include "bench/run/run_options.hpp"

namespace flowbench::run {

// Runs the matrix. Setting `stop` (e.g. on Ctrl-C) ends the current load early and skips
// the rest; what was measured so far is returned, the cut run and the results marked as
// interrupted. The services are stopped either way, and so are the embedded servers when
// this run started them.
report::RunResults RunMatrix(const RunOptions& options, const std::atomic<bool>& stop,
                             const ProgressPrinter& progress);

}  // namespace flowbench::run
