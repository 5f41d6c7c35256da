#include "bench/sweep/knee_search.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>
#include <vector>

namespace flowbench::sweep {
namespace {

// One knee's bracket: the highest rate that passed below the lowest that failed.
struct Bracket {
  std::vector<std::pair<double, bool>> steps;  // rate, passed
  std::optional<double> passed;
  std::optional<double> failed;

  void Update(double rate, bool ok) {
    steps.emplace_back(rate, ok);
    failed.reset();
    passed.reset();
    for (const auto& [r, pass] : steps) {
      if (!pass) failed = std::min(failed.value_or(r), r);
    }
    for (const auto& [r, pass] : steps) {
      if (pass && (!failed || r < *failed)) passed = std::max(passed.value_or(r), r);
    }
  }
  bool Open(double precision) const { return passed && failed && *failed / *passed > precision; }
};

// "120/s", or a mix's scale factor: "x0.4".
std::string Rate(double rate, bool scale) {
  char text[32];
  if (scale) {
    std::snprintf(text, sizeof text, "x%.3g", rate);
  } else {
    std::snprintf(text, sizeof text, rate < 10 ? "%.3g/s" : "%.0f/s", rate);
  }
  return text;
}

// Why a knee has the value it has, once the search is over.
std::string Bound(const Bracket& b, const std::string& unresolved) {
  if (b.failed) return b.passed ? "found" : "below-from";
  return unresolved;
}

}  // namespace

KneeSearch SearchKnees(const SearchRange& range, const StepProbe& probe) {
  if (!(range.from > 0) || !(range.factor > 1) || !(range.max >= range.from) ||
      !(range.precision > 1)) {
    throw std::invalid_argument("a sweep needs 0 < --from <= --max and --factor > 1 (got from " +
                                Rate(range.from, range.scales) + ", factor " +
                                std::to_string(range.factor) + ", max " +
                                Rate(range.max, range.scales) + ")");
  }
  KneeSearch search;
  Bracket answer, sustainable;
  std::string unresolved;  // the bound of a knee discovery did not pass
  auto measure = [&](double rate, const std::string& phase) {
    bool judge_work = !(sustainable.failed && rate > *sustainable.failed);
    StepOutcome outcome = probe(rate, phase, judge_work);
    ++search.steps;
    if (outcome.interrupted) {
      unresolved = "interrupted";
      search.stop_reason = "interrupted (Ctrl-C) at " + Rate(rate, range.scales);
      return false;
    }
    if (!judge_work && !outcome.sustainable_ok) outcome.sustainable_ok = false;
    if (outcome.answer_ok) answer.Update(rate, *outcome.answer_ok);
    if (outcome.sustainable_ok) sustainable.Update(rate, *outcome.sustainable_ok);
    // A verdict the step could not give matters only where that knee is still ahead.
    bool answer_unknown = !outcome.answer_ok && !(answer.failed && *answer.failed <= rate);
    bool work_unknown =
        !outcome.sustainable_ok && !(sustainable.failed && *sustainable.failed <= rate);
    if (answer_unknown || work_unknown) {
      if (outcome.generator_late) {
        unresolved = "generator-invalid";
        search.stop_reason = "the load generator could not keep its schedule at " +
                             Rate(rate, range.scales) +
                             ": the knees above this rate need a load machine of their own";
      } else {
        unresolved = "not-judged";
        search.stop_reason = "no request was due in the window at " + Rate(rate, range.scales) +
                             ": a longer --step-duration";
      }
      return false;
    }
    return true;
  };

  double rate = range.from;
  double step = range.factor;
  bool measured_all = true;
  for (;;) {
    if (!measure(rate, "discover")) {
      measured_all = false;
      break;
    }
    if (answer.failed && sustainable.failed) {
      search.stop_reason = "both knees passed at " + Rate(rate, range.scales);
      break;
    }
    if (rate >= range.max) {
      unresolved = "not-reached-at-max";
      search.stop_reason =
          "reached --max " + Rate(range.max, range.scales) + " with a knee not passed";
      break;
    }
    if (answer.failed || sustainable.failed) step *= step;
    rate = std::min(rate * step, range.max);
  }

  for (Bracket* knee : {&answer, &sustainable}) {
    for (int i = 0; measured_all && i < range.max_refine_steps && knee->Open(range.precision);
         ++i) {
      measured_all = measure(std::sqrt(*knee->passed * *knee->failed), "refine");
    }
  }
  search.answer_knee = answer.passed;
  search.answer_failed_at = answer.failed;
  search.answer_bound = Bound(answer, unresolved);
  search.sustainable = sustainable.passed;
  search.sustainable_failed_at = sustainable.failed;
  search.sustainable_bound = Bound(sustainable, unresolved);
  return search;
}

}  // namespace flowbench::sweep
