// The knee search of a mix (`flowbench sweep --mix PROFILE`): every step offers all the
// profile's scenarios at once, each at `scale` x its profile rate, and the search steps the
// scale as SearchKnees steps a rate. A mix passes a test only when every scenario passes its
// own (its own SLOs, the error budget, its work keeping up), so the mix's knee is where the
// first scenario breaks; which one broke first is the lesson, and is reported with the knee.
#pragma once

#include <string>
#include <vector>

#include "bench/sweep/knee_search.hpp"

namespace flowbench::sweep {

// One scenario's verdicts within a mix step.
struct ScenarioVerdict {
  std::string scenario;
  StepOutcome outcome;
};

struct MixStepOutcome {
  std::vector<ScenarioVerdict> scenarios;
  bool interrupted = false;  // Ctrl-C before anything was measured
};

// Measures one mix step at `scale` (as StepProbe, with the scale for the rate).
using MixProbe =
    std::function<MixStepOutcome(double scale, const std::string& phase, bool judge_work)>;

// The mix's verdicts from its scenarios': a test fails when any scenario fails it, is not
// judged when none failed but one could not be judged, and passes when every scenario passes.
StepOutcome CombineMix(const MixStepOutcome& step);

struct MixKneeSearch {
  KneeSearch search;  // in scale factors
  // The scenarios that failed each test at its lowest failing scale (empty: none failed).
  std::vector<std::string> answer_broke_first, sustainable_broke_first;
};

// SearchKnees over the scale (`range` in scale factors); stop_reason then names what broke
// first. Throws as SearchKnees.
MixKneeSearch SearchMixKnees(const SearchRange& range, const MixProbe& probe);

}  // namespace flowbench::sweep
