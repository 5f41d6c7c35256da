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

// Work not done yet at the end of each second of the measured window: requests due by then
// (warm-up included, so that a steady state reached in the warm-up starts the series) whose
// work had not ended. An accepted request counts until its completion record's end (for ever
// without one); a refused or failed one until its answer or failure (its work was turned
// away); a dropped one never (it never started); a cut one for ever. The same measure for both
// builds, whatever holds the work: a queue, a thread, a socket.
std::vector<std::uint64_t> BacklogPerSecond(const load::ScenarioRecording& recording,
                                            const JoinedScenario& joined, load::Duration warmup,
                                            load::Duration measured);

}  // namespace flowbench::run
