// The service levels a sweep judges each step by. An SLO is given as an allowance beyond the
// work the figure has to wait for, so that one flag reads right for every scenario:
// `--slo answer:p99<200ms` means "p99 within 200 ms of the work the answer waits for" (none
// when the build answers before the work, the whole scenario's work when it answers after),
// `--slo completion:p99<5s` means "the work done within 5 s of its own duration".
#pragma once

#include <string_view>

#include "bench/report/results.hpp"
#include "bench/sweep/sweep_results.hpp"
#include "common/domain/catalogue.hpp"
#include "common/domain/workload_settings.hpp"

namespace flowbench::sweep {

struct SloAllowances {
  Slo answer{"answer", 0.99, 0.200};
  Slo completion{"completion", 0.99, 5.0};
};

// "answer:p99<200ms", "completion:p95<5s" (p50, p90, p95, p99, p99.9; ms, s, m) into
// `allowances`; throws std::invalid_argument saying what is wrong.
void ApplySloFlag(std::string_view text, SloAllowances& allowances);

// The simulated work one request of `scenario` asks for, from start to end (CONTRACT.md §2):
// the fan-out's three steps one after another, the report's CPU time, no wait for a click.
double ScenarioWorkSeconds(std::string_view scenario, const WorkloadSettings& workload);
// Whether `arch` answers `scenario` only once its work is done (the sync build always; the
// async build never: it answers once the work is safely queued).
bool AnswerWaitsForWork(Arch arch, std::string_view scenario);

// The absolute SLOs of one build and scenario.
Slo AnswerSlo(Arch arch, std::string_view scenario, const WorkloadSettings& workload,
              const SloAllowances& allowances);
Slo CompletionSlo(std::string_view scenario, const WorkloadSettings& workload,
                  const SloAllowances& allowances);

// The summary's figure at the SLO's quantile; throws on a quantile the summary does not hold.
double QuantileOf(const report::LatencySummary& summary, double quantile);
std::string QuantileName(double quantile);  // 0.99 -> "p99", 0.999 -> "p99.9"

}  // namespace flowbench::sweep
