#include "bench/sweep/step_verdict.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/stats/confidence.hpp"
#include "bench/sweep/slo.hpp"

namespace flowbench::sweep {
namespace {

std::string Format(const char* format, double a, double b) {
  char text[160];
  std::snprintf(text, sizeof text, format, a, b);
  return text;
}

std::string Milliseconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, seconds < 10 ? "%.1f ms" : "%.0f ms", seconds * 1000);
  return text;
}

// "answer p99 412.0 ms > 200.0 ms", or nothing when within. `lag_s`: the generator's send
// lag p99 when it fell behind: the figure must exceed the SLO even net of it.
std::optional<std::string> Breach(const Slo& slo, const report::LatencySummary& summary,
                                  double lag_s) {
  double value = QuantileOf(summary, slo.quantile);
  if (value - lag_s <= slo.limit_s) return std::nullopt;
  std::string text = slo.figure + " " + QuantileName(slo.quantile) + " " + Milliseconds(value) +
                     " > " + Milliseconds(slo.limit_s);
  if (lag_s > 0) text += " (" + Milliseconds(value - lag_s) + " net of the generator's lag)";
  return text;
}

// A test with `problems` found: failed. None, but the generator was late: not judged.
std::optional<bool> Verdict(std::vector<std::string>& problems, bool late,
                            const std::string& lateness) {
  if (!problems.empty()) return false;
  if (!late) return true;
  problems.push_back("not judged: " + lateness);
  return std::nullopt;
}

// Whether the backlog's rise over the window (the slope times its length) is more than three
// standard deviations of a steady backlog of the same mean: work in flight at a steady rate
// is about Poisson (Little's law: rate x time in the system on average), so its spread is
// the square root of its mean. Unlike the slope's regression interval, this holds for a
// window of three seconds, and does not take dependent seconds for independent ones.
bool BeyondNoise(std::span<const std::uint64_t> backlog, double slope_per_s) {
  if (backlog.size() < 2) return false;
  double mean = 0;
  for (std::uint64_t b : backlog) mean += static_cast<double>(b);
  mean /= static_cast<double>(backlog.size());
  double rise = slope_per_s * static_cast<double>(backlog.size() - 1);
  return rise > 3 * std::sqrt(mean + 1);
}

}  // namespace

BacklogSlope SlopeOf(std::span<const std::uint64_t> backlog) {
  std::vector<double> t, y;
  for (std::size_t i = 0; i < backlog.size(); ++i) {
    t.push_back(static_cast<double>(i));
    y.push_back(static_cast<double>(backlog[i]));
  }
  stats::SlopeEstimate estimate = stats::LeastSquaresSlope(t, y);
  BacklogSlope slope;
  slope.per_s = estimate.slope;
  if (estimate.interval)
    slope.interval = report::Interval{estimate.interval->low, estimate.interval->high};
  return slope;
}

StepOutcome Judge(SweepStep& step, const Slo& answer, const Slo& completion,
                  const VerdictBounds& bounds) {
  std::vector<std::string> answer_problems, work_problems;
  const bool late = step.generator && step.generator->send_lag_p99_ms > bounds.max_send_lag_p99_ms;
  const double lag_s = late ? step.generator->send_lag_p99_ms / 1000 : 0;
  const std::string lateness =
      late ? Format("the load generator fell behind its schedule (send lag p99 %.1f ms > %.0f ms)",
                    step.generator->send_lag_p99_ms, bounds.max_send_lag_p99_ms)
           : "";
  if (step.scheduled == 0 && !step.interrupted) {
    // Nothing to judge: no request was due in the window (a low rate's Poisson schedule).
    std::string why = "not judged: no request was due in the window";
    step.answer_ok = step.sustainable_ok = false;
    step.answer_problems = {why};
    step.sustainable_problems = {why};
    return {};
  }
  if (step.error_rate > bounds.max_error_rate) {
    std::string errors =
        Format("errors %.2f %% > %.2f %%", step.error_rate * 100, bounds.max_error_rate * 100);
    answer_problems.push_back(errors);
    work_problems.push_back(errors);
  }
  if (step.answer.count == 0) {
    answer_problems.emplace_back("no answer");
  } else if (auto breach = Breach(answer, step.answer, lag_s)) {
    answer_problems.push_back(*breach);
  }

  if (step.outcomes) {
    const report::Outcomes& o = *step.outcomes;
    if (o.lost + o.unfinished > 0) {
      work_problems.push_back(std::to_string(o.lost) + " lost and " + std::to_string(o.unfinished) +
                              " unfinished of " + std::to_string(o.accepted) + " accepted");
    }
  }
  bool accepted_any = !step.outcomes || step.outcomes->accepted > 0;
  if (!step.completion) {
    if (accepted_any) work_problems.emplace_back("no request completed");
  } else if (auto breach = Breach(completion, *step.completion, lag_s)) {
    work_problems.push_back(*breach);
  }
  double tolerated = bounds.max_backlog_growth * step.offered_rps;
  if (BeyondNoise(step.backlog, step.backlog_slope_per_s) && step.backlog_slope_per_s > tolerated) {
    work_problems.push_back(
        Format("backlog grows %.2f/s > %.2f/s", step.backlog_slope_per_s, tolerated));
  }
  if (!step.drained) work_problems.emplace_back("did not drain within its bound");

  StepOutcome outcome;
  outcome.interrupted = step.interrupted;
  outcome.generator_late = late;
  if (step.interrupted) {
    answer_problems.insert(answer_problems.begin(), "interrupted");
    work_problems.insert(work_problems.begin(), "interrupted");
  }
  outcome.answer_ok = Verdict(answer_problems, late, lateness);
  outcome.sustainable_ok = Verdict(work_problems, late, lateness);
  step.answer_ok = outcome.answer_ok.value_or(false);
  step.answer_problems = std::move(answer_problems);
  step.sustainable_ok = outcome.sustainable_ok.value_or(false);
  step.sustainable_problems = std::move(work_problems);
  return outcome;
}

}  // namespace flowbench::sweep
