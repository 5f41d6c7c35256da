#include "bench/sweep/step_conversion.hpp"

#include <stdexcept>

#include "bench/run/results_conversion.hpp"
#include "bench/run/statistics.hpp"
#include "bench/sweep/step_verdict.hpp"

namespace flowbench::sweep {
namespace {

// The element-wise sum of the scenarios' backlogs (their windows are the same run's).
std::vector<std::uint64_t> TotalBacklog(const std::vector<SweepStep>& scenarios) {
  std::vector<std::uint64_t> total;
  for (const SweepStep& s : scenarios) {
    if (s.backlog.size() > total.size()) total.resize(s.backlog.size(), 0);
    for (std::size_t i = 0; i < s.backlog.size(); ++i) total[i] += s.backlog[i];
  }
  return total;
}

// Whether each scenario of a mix drained (parallel to mix.rates). The run's drain waits for
// all of them at once, so when it timed out the scenarios whose own accepted work was still
// unfinished (or lost) at its end are the ones that did not drain; the others did. When no
// scenario's own count shows any (none collected, or the deadline passed on queues alone),
// the timeout cannot be attributed and every scenario fails it.
std::vector<bool> DrainedByScenario(const run::Measurement& m, const MixRange& mix) {
  std::vector<bool> drained(mix.rates.size(), m.run.drained);
  if (m.run.drained) return drained;
  std::vector<bool> unfinished(mix.rates.size(), true);
  bool attributed = false;
  for (std::size_t i = 0; i < mix.rates.size(); ++i) {
    const report::ScenarioResult* s = m.run.Scenario(mix.rates[i].first);
    if (s == nullptr || !s->outcomes) continue;  // unknown: it may be one that did not drain
    unfinished[i] = s->outcomes->unfinished + s->outcomes->lost > 0;
    attributed = attributed || unfinished[i];
  }
  if (!attributed) return drained;
  for (std::size_t i = 0; i < drained.size(); ++i) drained[i] = !unfinished[i];
  return drained;
}

}  // namespace

SweepStep ToStep(const run::Measurement& m, const std::string& scenario, double rate) {
  SweepStep step;
  step.arch = m.run.arch;
  step.scenario = scenario;
  step.offered_rps = rate;
  step.duration_s = m.run.duration_seconds;
  step.warmup_s = m.run.warmup_seconds;
  step.drain_s = m.run.drain_seconds;
  step.drained = m.run.drained;
  step.interrupted = m.run.interrupted;
  step.generator = m.run.generator;
  step.cpu_ms_per_request = m.run.CpuSecondsPer1000Requests();
  const report::ScenarioResult* s = m.run.Scenario(scenario);
  if (s == nullptr) throw std::logic_error("the step's run has no " + scenario);
  step.scheduled = s->offered.scheduled;
  step.answered = s->requests;
  step.errors = s->errors.Total() + s->dropped_iterations + s->cut;
  step.error_kinds = s->errors;
  step.dropped = s->dropped_iterations;
  step.cut = s->cut;
  step.error_rate = s->ErrorRate();
  step.achieved_rps = step.duration_s > 0 ? static_cast<double>(s->requests) / step.duration_s : 0;
  step.answer = s->latency;
  step.completion = s->completion;
  step.outcomes = s->outcomes;
  if (auto it = m.backlog.find(scenario); it != m.backlog.end()) step.backlog = it->second;
  BacklogSlope slope = SlopeOf(step.backlog);
  step.backlog_slope_per_s = slope.per_s;
  step.backlog_slope_interval = slope.interval;
  return step;
}

void MarkNotDrained(SweepStep& step) {
  step.sustainable_ok = false;
  step.sustainable_problems.insert(step.sustainable_problems.begin(),
                                   "not drained: above a rate where the work already fell behind");
}

SweepStep ToMixStep(const run::Measurement& m, const MixRange& mix, double scale,
                    const std::vector<std::pair<Slo, Slo>>& slos, const VerdictBounds& bounds,
                    bool judge_work, MixStepOutcome& outcome) {
  SweepStep step;
  step.arch = m.run.arch;
  step.scenario = MixKey(mix.profile);
  step.mix = mix.profile;
  step.scale = scale;
  step.duration_s = m.run.duration_seconds;
  step.warmup_s = m.run.warmup_seconds;
  step.drain_s = m.run.drain_seconds;
  step.drained = m.run.drained;
  step.interrupted = m.run.interrupted;
  step.generator = m.run.generator;
  step.cpu_ms_per_request = m.run.CpuSecondsPer1000Requests();
  step.answer = m.run.overall;
  run::ScenarioHistograms all;
  report::Outcomes outcomes;
  bool any_outcomes = false;
  const std::vector<bool> drained = DrainedByScenario(m, mix);
  for (std::size_t i = 0; i < mix.rates.size(); ++i) {
    const auto& [scenario, rate] = mix.rates[i];
    SweepStep s = ToStep(m, scenario, scale * rate);
    s.drained = drained[i];
    StepOutcome verdict = Judge(s, slos[i].first, slos[i].second, bounds);
    if (!judge_work) MarkNotDrained(s);
    outcome.scenarios.push_back({scenario, verdict});
    step.offered_rps += s.offered_rps;
    step.achieved_rps += s.achieved_rps;
    step.scheduled += s.scheduled;
    step.answered += s.answered;
    step.errors += s.errors;
    step.error_kinds.connect += s.error_kinds.connect;
    step.error_kinds.timeout += s.error_kinds.timeout;
    step.error_kinds.status += s.error_kinds.status;
    step.error_kinds.check += s.error_kinds.check;
    step.dropped += s.dropped;
    step.cut += s.cut;
    if (auto h = m.histograms.find(scenario); h != m.histograms.end()) {
      all.completion.Merge(h->second.completion);
    }
    if (s.outcomes) {
      any_outcomes = true;
      const report::Outcomes& x = *s.outcomes;
      outcomes.accepted += x.accepted;
      outcomes.done += x.done;
      outcomes.degraded += x.degraded;
      outcomes.compensated += x.compensated;
      outcomes.failed += x.failed;
      outcomes.dead_lettered += x.dead_lettered;
      outcomes.withdrawn += x.withdrawn;
      outcomes.duplicated += x.duplicated;
      outcomes.unfinished += x.unfinished;
      outcomes.lost += x.lost;
      outcomes.unknown_ids += x.unknown_ids;
    }
    for (const std::string& p : s.answer_problems) {
      if (!s.answer_ok) step.answer_problems.push_back(scenario + ": " + p);
    }
    for (const std::string& p : s.sustainable_problems) {
      if (!s.sustainable_ok) step.sustainable_problems.push_back(scenario + ": " + p);
    }
    step.scenarios.push_back(std::move(s));
  }
  step.error_rate = step.scheduled > 0
                        ? static_cast<double>(step.errors) / static_cast<double>(step.scheduled)
                        : 0;
  if (all.completion.Count() > 0) step.completion = run::ToSeconds(all.completion.Summary());
  if (any_outcomes) step.outcomes = outcomes;
  step.backlog = TotalBacklog(step.scenarios);
  BacklogSlope slope = SlopeOf(step.backlog);
  step.backlog_slope_per_s = slope.per_s;
  step.backlog_slope_interval = slope.interval;
  StepOutcome combined = CombineMix(outcome);
  step.answer_ok = combined.answer_ok.value_or(false);
  step.sustainable_ok = combined.sustainable_ok.value_or(false);
  return step;
}

}  // namespace flowbench::sweep
