// What `flowbench sweep` is asked to do, and each scenario's rate range. The scenarios' work
// differs by five orders of magnitude (a click is a row, a report ten seconds of CPU), so each
// has its own defaults (the table in bench/sweep/README.md): where the search starts, where
// it gives up, how long a step lasts and warms up, how long the work may take to drain.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/run/run_options.hpp"
#include "bench/sweep/knee_search.hpp"
#include "bench/sweep/slo.hpp"
#include "bench/sweep/step_verdict.hpp"

namespace flowbench::sweep {

struct ScenarioRange {
  std::string scenario;
  SearchRange search;
  std::chrono::milliseconds step{10'000};  // each step's measured window, at least
  // ... and long enough for `min_requests` to be due at the step's rate, up to this:
  double min_requests = 5;
  std::chrono::milliseconds longest_step{60'000};
  std::chrono::milliseconds warmup{2'000};   // before it, at the step's rate (excluded)
  std::chrono::milliseconds drain_bound{0};  // after it: the work left must be done by then
  // Past a knee, requests wait in the build's queues; each gets this long (twice the answer's
  // SLO and a second), so that a step past the knee ends in bounded time.
  std::chrono::seconds request_timeout{10};
};

// A mix's range (`sweep --mix PROFILE`): the scale factors searched (from the scale at which
// the first scenario reaches its own first rate to the one at which the first reaches its own
// maximum: no scenario is driven past its own), and each step's window, warm-up, drain bound
// and request timeout wide enough for all of its scenarios at once.
struct MixRange {
  std::string profile;
  // The scenarios the profile offers load to and each one's rate at scale 1 (its open-model
  // rate, OpenArrivalRate), in contract order.
  std::vector<std::pair<std::string, double>> rates;
  SearchRange search;                 // in scale factors
  std::vector<ScenarioRange> ranges;  // each scenario's own (parallel to `rates`)
  std::chrono::milliseconds warmup{0}, drain_bound{0};
  std::chrono::seconds request_timeout{0};

  double TotalRate(double scale) const;  // requests per second offered at `scale`
  // The measured window at `scale`: the longest any scenario's own range asks for at its rate.
  std::chrono::milliseconds Window(double scale) const;
};

// The window of one scenario's step at `rate`: its range's window, longer when needed for
// min_requests to be due (up to longest_step).
std::chrono::milliseconds WindowAt(const ScenarioRange& range, double rate);

struct SweepOptions {
  // The infrastructure, workload, service flags, seed and load-engine settings, as `run`.
  run::RunOptions run;
  std::vector<std::string> archs{"sync", "async"};
  std::vector<std::string> scenarios;  // empty: all six
  // A load profile's name: one mix sweep of all its scenarios at once instead (`scenarios`
  // must be empty); `from` and `max` are then scale factors.
  std::string mix;
  SloAllowances slos;
  VerdictBounds bounds;
  // Given on the command line: every scenario's instead of its default.
  std::optional<double> from, factor, max, precision;
  std::optional<std::chrono::milliseconds> step_duration;
  std::optional<std::chrono::seconds> request_timeout;
  bool quick = false;  // fewer, shorter steps: a first look in minutes
  bool measure_limits = true;
  std::chrono::milliseconds limit_duration{5'000};
  std::string out_dir;  // where sweep.json, sweep.md and sweep.html go
};

// The scenario's range: its defaults (quick or not), then what the options override.
// Throws std::invalid_argument for an unknown scenario.
ScenarioRange RangeFor(std::string_view scenario, const SweepOptions& options);

// The mix's range; throws std::invalid_argument for an unknown profile.
MixRange MixRangeFor(std::string_view profile, const SweepOptions& options);

boost::json::object ToJson(const ScenarioRange& range);
boost::json::object ToJson(const MixRange& range);

}  // namespace flowbench::sweep
