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
    {"scenario1", 8, 3'000},    // registration: a row and an email (500 ms)
    {"scenario2", 4, 3'000},    // payment: a row and the gateway (2 s)
    {"scenario3", 8, 3'000},    // product update: a row and three calls (200 ms)
    {"scenario4", 0.1, 2},      // report: 10 s of CPU each; 2 cores do 0.2/s at best
    {"scenario5", 8, 3'000},    // order saga: rows, stock, payment (500 ms), compensation
    {"scenario6", 500, 30'000}  // click: one row, or one message
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
    // A first look: steps x4 apart, no refining (each knee bracketed within x4), two-second
    // windows (the report's: its work's length), the report at 0.4/s and 1.6/s (four due in
    // its first window).
    r.search.from = scenario == "scenario4" ? 4 * d->from : d->from;
    r.search.max = scenario == "scenario4" ? 16 * d->from : d->max;
    r.search.factor = 4;
    r.search.precision = 4;
    r.search.max_refine_steps = 0;
    r.step = std::max(milliseconds(2'000), work);
    r.warmup = milliseconds(1'000);
    r.drain_bound = std::max(milliseconds(2'000), work + milliseconds(1'000));
    r.min_requests = 2;
    r.longest_step = milliseconds(10'000);
  } else {
    // Steps x2 apart, each knee bracketed within 20 % (two bisections from x2).
    r.search.factor = 2;
    r.search.precision = 1.2;
    r.min_requests = 4;
    r.search.max_refine_steps = 6;
    // An eight-second window, at least twice the work (a trend must show over it).
    r.step = std::max(milliseconds(8'000), 2 * work);
    r.warmup = milliseconds(2'000);
    // What a step leaves behind must be done within twice its work and a few seconds.
    r.drain_bound = std::max(milliseconds(10'000), 2 * work + milliseconds(5'000));
  }
  // Past a knee, requests wait in the build's queues: each gets twice its answer SLO and a
  // second (a request that slow has failed the test already), so that the step ends in
  // bounded time instead of waiting out long timeouts.
  double answer_slo_s = std::max(AnswerSlo(Arch::kSync, scenario, o.run.workload, o.slos).limit_s,
                                 AnswerSlo(Arch::kAsync, scenario, o.run.workload, o.slos).limit_s);
  r.request_timeout =
      std::chrono::seconds(static_cast<long long>(std::ceil((o.quick ? 1 : 2) * answer_slo_s + 1)));
  if (o.request_timeout) r.request_timeout = *o.request_timeout;
  if (o.from) r.search.from = *o.from;
  if (o.max) r.search.max = *o.max;
  if (o.factor) r.search.factor = *o.factor;
  if (o.precision) r.search.precision = *o.precision;
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
          {"min_requests", r.min_requests},
          {"longest_step_s", static_cast<double>(r.longest_step.count()) / 1000.0},
          {"warmup_s", static_cast<double>(r.warmup.count()) / 1000.0},
          {"drain_bound_s", static_cast<double>(r.drain_bound.count()) / 1000.0},
          {"request_timeout_s", r.request_timeout.count()}};
}

}  // namespace flowbench::sweep
