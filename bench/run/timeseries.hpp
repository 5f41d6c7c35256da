// A run second by second, from the per-request records: what was offered, answered and
// failed in each second of intended send time, and the answer and completion percentiles of
// those requests. Shows what one figure for the whole run hides: a queue building up, a
// stall, the tail moving during the run.
#pragma once

#include <vector>

#include "bench/load/load_run.hpp"
#include "bench/report/results.hpp"
#include "bench/run/completion_join.hpp"

namespace flowbench::run {

// One sample per second of the measured window (which starts `warmup` after the load's
// start and lasts `measured`); `joined` may be null (no per-request completion).
std::vector<report::SecondSample> PerSecond(const load::ScenarioRecording& recording,
                                            const JoinedScenario* joined, load::Duration warmup,
                                            load::Duration measured);

}  // namespace flowbench::run
