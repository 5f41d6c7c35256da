// Whether one step of a sweep passed each knee's test, and why not, from what the step
// measured. The answer test: the answer quantile within its SLO and errors within bound. The
// sustainable test: the accepted work keeps up: errors within bound, nothing lost, the
// backlog not growing, the completion quantile within its SLO, and the drain after the step
// within its bound. A step whose load generator could not keep its schedule passes neither:
// late sends show in its latencies as the service's. Such a step fails a test only when it
// fails even net of the generator's lag (errors, lost work, a growing backlog, or a quantile
// past its SLO by more than the send lag's p99); otherwise that test is not judged.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "bench/report/results.hpp"
#include "bench/sweep/knee_search.hpp"
#include "bench/sweep/sweep_results.hpp"

namespace flowbench::sweep {

struct VerdictBounds {
  double max_error_rate = 0.001;  // 0.1 % of the requests the step offered
  // The backlog grows when its least-squares slope exceeds this fraction of the offered rate
  // (work piling up at 5 % of what arrives) and its rise over the window is beyond noise:
  // more than three times the square root of its mean (a steady backlog is about Poisson).
  double max_backlog_growth = 0.05;
  // The generator's send lag p99 beyond which it did not keep its schedule (as `run`'s audit,
  // bench/load/generator_audit.hpp). Its other check, requests started / scheduled, is not
  // used: in a sweep a request not started is one no connection was free for (every one
  // waiting for an answer), counted as an error of the build's.
  double max_send_lag_p99_ms = 10;
};

struct BacklogSlope {
  double per_s = 0;
  std::optional<report::Interval> interval;  // nullopt: fewer than three seconds
};

// Ordinary least squares of backlog against time (one point a second), and the slope's 95 %
// interval from Student's t with n - 2 degrees of freedom, reported with the step. The seconds
// of a backlog are not independent, so that interval is narrower than the truth; the verdict
// uses the noise bound above instead.
BacklogSlope SlopeOf(std::span<const std::uint64_t> backlog);

// Fills step.answer_ok, step.sustainable_ok and their problems, and returns the verdicts for
// the knee search (nullopt: not judged).
StepOutcome Judge(SweepStep& step, const Slo& answer, const Slo& completion,
                  const VerdictBounds& bounds = {});

}  // namespace flowbench::sweep
