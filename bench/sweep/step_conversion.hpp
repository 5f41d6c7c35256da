// A measured run (`flowbench run`'s Measurement) as a sweep's step: of one scenario, or of a
// mix of all a profile's scenarios at once, each judged against its own SLOs. Pure code: no
// servers, so the mix's verdicts can be tested from a run made up in a test.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bench/run/measure.hpp"
#include "bench/sweep/mix_search.hpp"
#include "bench/sweep/sweep_plan.hpp"
#include "bench/sweep/sweep_results.hpp"

namespace flowbench::sweep {

// What one measured run says about its one scenario, as a step (not judged yet).
SweepStep ToStep(const run::Measurement& m, const std::string& scenario, double rate);

// "not drained: ..." first among a step's work problems, when its drain was skipped.
void MarkNotDrained(SweepStep& step);

// A mix step from one run of all its scenarios: each scenario's own step (judged against its
// own SLOs, `slos` parallel to mix.rates), and the totals; the mix passes a test when every
// scenario passes it. Each scenario's verdicts are appended to `outcome`. The drain is the
// run's, but a scenario fails it only when its own accepted work did not finish.
SweepStep ToMixStep(const run::Measurement& m, const MixRange& mix, double scale,
                    const std::vector<std::pair<Slo, Slo>>& slos, const VerdictBounds& bounds,
                    bool judge_work, MixStepOutcome& outcome);

}  // namespace flowbench::sweep
