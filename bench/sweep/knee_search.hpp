// The search for a build and scenario's two knees, as pure logic over a function that
// measures one step at a given offered rate (tested without servers):
//  1. discover: from `from`, multiply the rate by `factor` each step until both tests have
//     failed once (the knees are passed), the rate would exceed `max`, the generator could
//     not keep its schedule, or Ctrl-C. Once one knee is passed, the gap to the other can be
//     orders of magnitude (the async build answers far past its sustainable rate), so the
//     step grows: factor, factor^2, factor^4, ...;
//  2. refine: bisect (geometric midpoints) between each knee's highest passing and lowest
//     failing rate until they are within `precision` of each other. Each refining step's
//     verdicts narrow both knees' brackets where they fall inside them.
// A knee is the highest offered rate that passed its test, below the lowest that failed; a
// step that passes above one that failed does not move it (the first failure stands).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace flowbench::sweep {

struct SearchRange {
  double from = 1;
  double factor = 1.5;
  double max = 1000;
  double precision = 1.1;  // refine until lowest failing / highest passing <= this
  int max_refine_steps = 6;
  bool scales = false;  // the "rates" are a mix's scale factors: "x0.4" in the stop reason
};

// Each test's verdict; nullopt: the step cannot say (its load generator fell behind its
// schedule, and the test would have passed but for that, or was not judged).
struct StepOutcome {
  std::optional<bool> answer_ok;
  std::optional<bool> sustainable_ok;
  bool interrupted = false;
  bool generator_late = false;  // why a verdict is missing: the generator fell behind (else:
                                // no request was due in the window)
};

// Measures one step: `phase` is "discover" or "refine". `judge_work` is false when the rate is
// above one where the work already fell behind: the step then need not wait for its drain
// (its sustainable verdict is known to be a failure, and comes back as nullopt or false).
using StepProbe =
    std::function<StepOutcome(double rate, const std::string& phase, bool judge_work)>;

struct KneeSearch {
  std::optional<double> answer_knee;
  std::optional<double> answer_failed_at;  // the lowest rate that failed the answer test
  std::string answer_bound;                // "found" | "below-from" | "not-reached-at-max" |
                                           // "generator-invalid" | "not-judged" | "interrupted"
  std::optional<double> sustainable;
  std::optional<double> sustainable_failed_at;
  std::string sustainable_bound;
  std::string stop_reason;  // why discovery stopped, in words
  int steps = 0;
};

// Throws std::invalid_argument on a range that cannot be searched (from <= 0, factor <= 1,
// max < from, precision <= 1).
KneeSearch SearchKnees(const SearchRange& range, const StepProbe& probe);

}  // namespace flowbench::sweep
