#include "bench/sweep/mix_search.hpp"

#include <map>
#include <optional>
#include <utility>

namespace flowbench::sweep {
namespace {

// All-of over the scenarios' verdicts on one test: one failure fails the mix.
std::optional<bool> AllOf(const MixStepOutcome& step, std::optional<bool> StepOutcome::*verdict) {
  bool unknown = false;
  for (const ScenarioVerdict& s : step.scenarios) {
    const std::optional<bool>& ok = s.outcome.*verdict;
    if (ok && !*ok) return false;
    if (!ok) unknown = true;
  }
  if (unknown) return std::nullopt;
  return true;
}

std::vector<std::string> FailedAt(const std::map<double, MixStepOutcome>& measured,
                                  const std::optional<double>& scale,
                                  std::optional<bool> StepOutcome::*verdict) {
  std::vector<std::string> failed;
  if (!scale) return failed;
  auto it = measured.find(*scale);
  if (it == measured.end()) return failed;
  for (const ScenarioVerdict& s : it->second.scenarios) {
    const std::optional<bool>& ok = s.outcome.*verdict;
    if (ok && !*ok) failed.push_back(s.scenario);
  }
  return failed;
}

std::string Listed(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

StepOutcome CombineMix(const MixStepOutcome& step) {
  StepOutcome mix;
  mix.interrupted = step.interrupted;
  for (const ScenarioVerdict& s : step.scenarios) {
    mix.interrupted = mix.interrupted || s.outcome.interrupted;
    mix.generator_late = mix.generator_late || s.outcome.generator_late;
  }
  if (step.scenarios.empty()) return mix;  // nothing measured: no verdict
  mix.answer_ok = AllOf(step, &StepOutcome::answer_ok);
  mix.sustainable_ok = AllOf(step, &StepOutcome::sustainable_ok);
  return mix;
}

MixKneeSearch SearchMixKnees(const SearchRange& range, const MixProbe& probe) {
  std::map<double, MixStepOutcome> measured;  // by scale: a refining step never repeats one
  MixKneeSearch mix;
  mix.search = SearchKnees(range, [&](double scale, const std::string& phase, bool judge_work) {
    MixStepOutcome step = probe(scale, phase, judge_work);
    StepOutcome combined = CombineMix(step);
    measured[scale] = std::move(step);
    return combined;
  });
  mix.answer_broke_first = FailedAt(measured, mix.search.answer_failed_at, &StepOutcome::answer_ok);
  mix.sustainable_broke_first =
      FailedAt(measured, mix.search.sustainable_failed_at, &StepOutcome::sustainable_ok);
  if (!mix.answer_broke_first.empty()) {
    mix.search.stop_reason += "; answers broke first: " + Listed(mix.answer_broke_first);
  }
  if (!mix.sustainable_broke_first.empty()) {
    mix.search.stop_reason += "; work broke first: " + Listed(mix.sustainable_broke_first);
  }
  return mix;
}

}  // namespace flowbench::sweep
