#include "bench/sweep/sweep_plan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flowbench::sweep {
namespace {

using std::chrono::milliseconds;

// Where each scenario's search starts and gives up (requests per second). The starts sit
// below what either build answers comfortably on a 2-core machine, the maxima above what it
// can: a knee beyond its maximum is reported as not reached, never guessed.
struct Defaults {
  std::string_view scenario;
  double from, max;
};
constexpr Defaults kDefaults[] = {
    {"scenario1", 5, 3'000},    // registration: a row and an email (500 ms)
    {"scenario2", 2, 3'000},    // payment: a row and the gateway (2 s)
    {"scenario3", 5, 3'000},    // product update: a row and three calls (200 ms)
    {"scenario4", 0.05, 5},     // report: 10 s of CPU each; 2 cores do 0.2/s at best
    {"scenario5", 5, 3'000},    // order saga: rows, stock, payment (500 ms), compensation
    {"scenario6", 250, 30'000}  // click: one row, or one message
};

}  // namespace

ScenarioRange RangeFor(std::string_view scenario, const SweepOptions& o) {
  const Defaults* d = std::find_if(std::begin(kDefaults), std::end(kDefaults),
                                   [&](const Defaults& x) { return x.scenario == scenario; });
  if (d == std::end(kDefaults)) {
    throw std::invalid_argument("unknown scenario '" + std::string(scenario) +
                                "' (scenario1 ... scenario6)");
  }
  auto work =
      milliseconds(static_cast<long long>(ScenarioWorkSeconds(scenario, o.run.workload) * 1000));
  ScenarioRange r;
  r.scenario = std::string(scenario);
  r.search.from = d->from;
  r.search.max = d->max;
  if (o.quick) {
    // Quick steps are as long as the work at least (a report's ten seconds): from twice as
    // high, so a report step still holds a request.
    r.search.from = scenario == "scenario4" ? 2 * d->from : d->from;
    // A first look: coarse steps (x3), a knee bracketed within x1.5, three-second steps.
    r.search.factor = 3;
    r.search.precision = 1.5;
    r.search.max_refine_steps = 1;
    r.step = milliseconds(3'000);
    r.warmup = milliseconds(1'000);
  } else {
    r.search.factor = 1.5;
    r.search.precision = 1.1;
    r.search.max_refine_steps = 6;
    r.step = milliseconds(10'000);
    // Long enough for the work in flight to reach its steady level before the window.
    r.warmup = std::max(milliseconds(2'000), work + milliseconds(1'000));
  }
  // Work that takes long needs a window several times its length to show a trend (once its
  // length for a quick look).
  r.step = std::max(r.step, (o.quick ? 1 : 3) * work);
  // What a step leaves behind must be done within this: the work's own time twice, and a few
  // seconds for the queues.
  r.drain_bound = std::max(milliseconds(o.quick ? 5'000 : 10'000), 2 * work + milliseconds(5'000));
  double answer_slo_s = std::max(AnswerSlo(Arch::kSync, scenario, o.run.workload, o.slos).limit_s,
                                 AnswerSlo(Arch::kAsync, scenario, o.run.workload, o.slos).limit_s);
  r.request_timeout = std::chrono::seconds(static_cast<long long>(std::ceil(answer_slo_s)) + 10);
  if (o.request_timeout) r.request_timeout = *o.request_timeout;
  if (o.from) r.search.from = *o.from;
  if (o.max) r.search.max = *o.max;
  if (o.factor) r.search.factor = *o.factor;
  if (o.step_duration) r.step = *o.step_duration;
  return r;
}

boost::json::object ToJson(const ScenarioRange& r) {
  return {{"from_rps", r.search.from},
          {"factor", r.search.factor},
          {"max_rps", r.search.max},
          {"precision", r.search.precision},
          {"max_refine_steps", r.search.max_refine_steps},
          {"step_s", static_cast<double>(r.step.count()) / 1000.0},
          {"warmup_s", static_cast<double>(r.warmup.count()) / 1000.0},
          {"drain_bound_s", static_cast<double>(r.drain_bound.count()) / 1000.0},
          {"request_timeout_s", r.request_timeout.count()}};
}

}  // namespace flowbench::sweep
