#include "bench/sweep/sweep_plan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/domain/catalogue.hpp"
#include "common/domain/profiles.hpp"

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

std::chrono::milliseconds WindowAt(const ScenarioRange& range, double rate) {
  if (!(rate > 0)) return range.step;
  auto needed = std::chrono::duration_cast<milliseconds>(
      std::chrono::duration<double>(range.min_requests / rate));
  return std::max(range.step, std::min(range.longest_step, needed));
}

double MixRange::TotalRate(double scale) const {
  double total = 0;
  for (const auto& [scenario, rate] : rates) total += scale * rate;
  return total;
}

milliseconds MixRange::Window(double scale) const {
  milliseconds window{0};
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    window = std::max(window, WindowAt(ranges[i], scale * rates[i].second));
  }
  return window;
}

MixRange MixRangeFor(std::string_view profile_name, const SweepOptions& o) {
  const Profile* profile = FindProfile(profile_name);
  if (profile == nullptr) {
    std::string names;
    for (const Profile& p : Profiles()) names += (names.empty() ? "" : ", ") + std::string(p.name);
    throw std::invalid_argument("unknown profile '" + std::string(profile_name) + "' (" + names +
                                ")");
  }
  // Each scenario's own range, without the rates given on the command line (for a mix they
  // are scale factors); its first rate always the full sweep's: --quick's report starts at
  // 0.4/s, twice what two cores finish, and the mix would fail from its first step.
  SweepOptions own = o;
  own.from.reset();
  own.max.reset();
  SweepOptions full = own;
  full.quick = false;
  MixRange mix;
  mix.profile = std::string(profile->name);
  mix.search = RangeFor("scenario1", own).search;  // factor, precision, refining: as any
  std::optional<double> from, max;
  for (const ScenarioSpec& spec : Scenarios()) {
    double rate = OpenArrivalRate(*profile, spec.id);
    if (!(rate > 0)) continue;
    ScenarioRange range = RangeFor(spec.id, own);
    // A scenario with no request due in the window leaves the whole mix unjudged and ends its
    // search: five due on average leave none less than 1 % of the time (Poisson, e^-5).
    // up to the full sweep's longest window even with --quick: its ten seconds hold no report
    // at the mix's first scale (0.1/s).
    range.min_requests = std::max(range.min_requests, 5.0);
    range.longest_step = std::max(range.longest_step, RangeFor(spec.id, full).longest_step);
    double first = RangeFor(spec.id, full).search.from / rate;
    double last = range.search.max / rate;
    from = std::min(from.value_or(first), first);
    // The top: the first scale at which a scenario reaches its own maximum, so that no
    // scenario is driven past it (the largest would put the report at 3000 times its own).
    max = std::min(max.value_or(last), last);
    mix.warmup = std::max(mix.warmup, range.warmup);
    mix.drain_bound = std::max(mix.drain_bound, range.drain_bound);
    mix.request_timeout = std::max(mix.request_timeout, range.request_timeout);
    mix.rates.emplace_back(spec.id, rate);
    mix.ranges.push_back(std::move(range));
  }
  if (!from || !max) {
    throw std::invalid_argument("profile '" + mix.profile + "' offers no load to any scenario");
  }
  mix.search.from = o.from.value_or(*from);
  mix.search.max = o.max.value_or(*max);
  mix.search.scales = true;
  return mix;
}

boost::json::object ToJson(const MixRange& r) {
  boost::json::object rates;
  for (const auto& [scenario, rate] : r.rates) rates[scenario] = rate;
  return {{"profile", r.profile},
          {"rates_at_scale_1", rates},
          {"total_rps_at_scale_1", r.TotalRate(1)},
          {"from_scale", r.search.from},
          {"factor", r.search.factor},
          {"max_scale", r.search.max},
          {"precision", r.search.precision},
          {"max_refine_steps", r.search.max_refine_steps},
          {"warmup_s", static_cast<double>(r.warmup.count()) / 1000.0},
          {"drain_bound_s", static_cast<double>(r.drain_bound.count()) / 1000.0},
          {"request_timeout_s", r.request_timeout.count()},
          {"window", "the longest any scenario's own range asks for at its rate"}};
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
