// The results of a `flowbench sweep`: the data model behind sweep.json (schema
// "flowbench.sweep/v1", documented in bench/sweep/SCHEMA.md), and what sweep.md and
// sweep.html are generated from. One sweep steps the offered rate of one scenario at a time,
// for each build, and marks two knees per build and scenario: the answer knee (answers within
// their SLO) and the sustainable rate (the accepted work keeps up). Times are in seconds.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/results.hpp"

namespace flowbench::sweep {

inline constexpr const char* kSweepSchema = "flowbench.sweep/v1";

// A service level objective on one figure: `figure`'s `quantile` at most `limit_s`.
struct Slo {
  std::string figure;      // "answer" | "completion"
  double quantile = 0.99;  // 0.99: p99
  double limit_s = 0;
};

// One step: one build, one scenario, one offered rate, measured as `flowbench run` measures.
struct SweepStep {
  std::string arch;         // "sync" | "async"
  std::string scenario;     // "scenario1" ...
  int index = 0;            // 1-based, in the order the search ran this build and scenario's steps
  std::string phase;        // "discover" (geometric steps) | "refine" (bisection of a knee)
  double offered_rps = 0;   // the schedule's rate (open loop, Poisson, the same for both builds)
  double achieved_rps = 0;  // answers (any status) per second of the measured window
  double duration_s = 0;    // the measured window (less when interrupted)
  double warmup_s = 0;
  std::uint64_t scheduled = 0;      // requests due in the measured window
  std::uint64_t answered = 0;       // of those, answered with any status
  std::uint64_t errors = 0;         // errors of any kind, dropped and cut included
  report::ErrorCounts error_kinds;  // of `errors`: answered or failed requests, by kind
  std::uint64_t dropped = 0;        // of `errors`: due, but no connection was free to start it
  std::uint64_t cut = 0;            // of `errors`: still running when the step's wait ended
  double error_rate = 0;            // errors / scheduled (report::ScenarioResult::ErrorRate)
  report::LatencySummary answer;    // from the intended send time
  std::optional<report::LatencySummary> completion;  // nullopt: no request completed
  std::optional<report::Outcomes> outcomes;
  // Accepted work not done yet at the end of each second of the measured window (requests
  // answered 2xx whose completion record had not come), from the per-request join: the same
  // measure for both builds, whatever holds the work (a queue, a thread, a socket).
  std::vector<std::uint64_t> backlog;
  double backlog_slope_per_s = 0;                          // least-squares slope of `backlog`
  std::optional<report::Interval> backlog_slope_interval;  // its 95 % interval
  double drain_s = 0;             // after the load, until all accepted work was done (or the bound)
  bool drained = true;            // false: the drain bound passed first
  double cpu_ms_per_request = 0;  // all ten services' CPU / requests answered
  std::optional<report::GeneratorAudit> generator;
  bool interrupted = false;  // Ctrl-C cut this step
  // The verdicts, and why a step failed one (in words, e.g. "answer p99 412 ms > 200 ms").
  bool answer_ok = false;
  std::vector<std::string> answer_problems;
  bool sustainable_ok = false;
  std::vector<std::string> sustainable_problems;
  // A mix step (`sweep --mix PROFILE`): all six scenarios at once, each at `scale` x its rate
  // in the profile. `scenario` is then "mix:PROFILE", the figures above are the totals, the
  // verdicts pass only when every scenario's own verdict does, and `scenarios` holds each
  // scenario's own record and verdicts. Empty `mix`: a step of one scenario.
  std::string mix;
  std::optional<double> scale;
  std::vector<SweepStep> scenarios;
};

// What the machine allows, measured in the same sweep (bench/limits/physical_limits.hpp).
struct PhysicalLimit {
  std::string name;    // "http" | "broker" | "database"
  double rps = 0;      // requests (messages, rows) per second
  std::string method;  // how, in words: "Beast, one thread, 32 keep-alive connections, 5 s"
  boost::json::object details;  // the probe's own figures (connections, window, counts)
};

// The two knees of one build and scenario, each the highest offered rate that passed.
struct Knees {
  std::string arch, scenario;
  Slo answer_slo, completion_slo;
  std::optional<double> answer_knee_rps;  // nullopt: not even the lowest rate passed
  std::string answer_bound;               // "found" | "below-from" | "not-reached-at-max" |
                                          // "generator-invalid" | "not-judged" | "interrupted"
  std::optional<double> sustainable_rps;
  std::string sustainable_bound;    // the same words
  std::optional<double> limit_rps;  // the physical limit this scenario's path meets first
  std::string limit_source;         // "broker" | "database" | "http" | "cpu" | ...
  std::string stop_reason;          // why the search stopped, in words
  // A mix (`scenario` "mix:PROFILE"): the knees as scale factors of the profile (the rates
  // above are the total offered rates at those scales), and the scenarios that failed the
  // test first, at the lowest failing scale: what broke first.
  std::string mix;  // the profile; empty: a knee of one scenario
  std::optional<double> answer_knee_scale, sustainable_scale;
  std::vector<std::string> answer_broke_first, sustainable_broke_first;
};

struct SweepResults {
  std::string schema = kSweepSchema;
  std::string created_at;  // RFC 3339
  std::string git_commit;
  boost::json::object machine;   // as in results.json
  boost::json::object versions;  // as in results.json
  boost::json::object settings;  // the sweep's options, workload, per-scenario ranges
  std::vector<PhysicalLimit> limits;
  std::vector<SweepStep> steps;
  std::vector<Knees> knees;
  bool interrupted = false;  // Ctrl-C: what was measured is kept, the rest never ran

  const Knees* KneesOf(const std::string& arch, const std::string& scenario) const;
  bool IsMix() const;  // any step or knee is a mix's
};

// A mix's key where a scenario's id goes ("mix:baseline"), and its profile back ("" if none).
std::string MixKey(std::string_view profile);
std::string MixProfileOf(std::string_view key);

boost::json::object ToJson(const SweepResults& sweep);
SweepResults SweepResultsFromJson(const boost::json::value& json);  // strict; throws
SweepResults LoadSweep(const std::string& path);
void SaveSweep(const SweepResults& sweep, const std::string& path);

}  // namespace flowbench::sweep
