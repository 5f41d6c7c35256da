// The results of a `flowbench run`: the data model behind results.json (schema
// "flowbench.results/v1", documented in bench/report/SCHEMA.md), and what every report
// (Markdown, HTML, CSV, k6 summary) is generated from. Times are in seconds throughout.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowbench::report {

inline constexpr const char* kSchema = "flowbench.results/v1";

struct LatencySummary {
  std::uint64_t count = 0;
  double mean = 0, stdev = 0, min = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0, max = 0;
};

struct ErrorCounts {
  std::uint64_t connect = 0;  // could not connect (refused, reset before a response)
  std::uint64_t timeout = 0;  // no response in time
  std::uint64_t status = 0;   // a response with a status the contract does not allow
  std::uint64_t check = 0;    // the right status, but a body that fails the contract's check
  std::uint64_t Total() const { return connect + timeout + status + check; }
};

struct Bucket {  // latency distribution: `count` samples at or below `le` seconds
  double le = 0;
  std::uint64_t count = 0;
};

struct ScenarioResult {
  std::string scenario;        // "scenario1" ...
  std::string executor;        // "constant-vus" | "constant-arrival-rate" | "ramping-arrival-rate"
  std::uint64_t requests = 0;  // responses received (good or bad)
  std::uint64_t dropped_iterations = 0;  // open loop: could not start (max VUs busy)
  double throughput_rps = 0;             // requests / duration
  LatencySummary latency;                // from the intended start (closed loop: the actual one)
  LatencySummary latency_uncorrected;    // from the actual send
  ErrorCounts errors;
  std::optional<LatencySummary> completion;  // flowbench_scenario_completion_seconds
  std::vector<Bucket> distribution;          // of `latency`
  double ErrorRate() const {
    return requests == 0 ? 0 : static_cast<double>(errors.Total()) / static_cast<double>(requests);
  }
};

struct QueueSeries {
  std::string queue;
  std::vector<double> t;  // seconds since the load started
  std::vector<std::uint64_t> depth;
  std::uint64_t Peak() const;
};

struct ServiceResources {
  std::string service;
  double cpu_seconds = 0;  // user + system during the run
  std::uint64_t peak_rss_bytes = 0;
};

// One architecture x profile x repeat: all six scenarios ran at once, as in k6.
struct ProfileRun {
  std::string arch;  // "sync" | "async"
  std::string profile;
  int repeat = 1;
  double duration_seconds = 0;
  double drain_seconds = 0;  // after the load stopped, until every queue was empty
  bool drained = true;       // false: the drain deadline passed first (or Ctrl-C)
  bool interrupted = false;  // Ctrl-C stopped its load or its drain early
  std::vector<ScenarioResult> scenarios;
  LatencySummary overall;  // all scenarios' requests together
  std::vector<QueueSeries> queues;
  std::vector<ServiceResources> resources;
  // Fields added within v1 (absent in older files, which mean the defaults):
  // Services flowbench did not start (`run --target`): service -> base URL, contract order.
  // Empty: flowbench started them on this machine.
  std::vector<std::pair<std::string, std::string>> target;
  std::string queues_source;  // "amqp" | "management-api" | "not-sampled" | "none" (sync)
  std::string resources_source = "proc";            // "proc" | "process-metrics" (each /metrics)
  std::vector<std::string> resources_not_measured;  // services without CPU/RSS figures

  std::uint64_t Requests() const;
  std::uint64_t Errors() const;
  double CpuSecondsPer1000Requests() const;
  const ScenarioResult* Scenario(const std::string& id) const;
};

struct RunResults {
  std::string schema = kSchema;
  std::string created_at;  // RFC 3339
  std::string git_commit;
  boost::json::object machine;   // cores, memory_bytes, kernel, cpu_model
  boost::json::object versions;  // flowbench, postgresql, rabbitmq, compiler
  boost::json::object settings;  // workload, per-arch runtime settings, driver settings
  std::vector<std::string> profiles;
  std::vector<ProfileRun> runs;
  bool interrupted = false;  // Ctrl-C: the last run was cut short and the rest never ran

  std::vector<const ProfileRun*> Runs(const std::string& arch, const std::string& profile) const;
};

boost::json::object ToJson(const RunResults& results);
RunResults RunResultsFromJson(const boost::json::value& json);  // strict; throws on a bad file
RunResults LoadResults(const std::string& path);
void SaveResults(const RunResults& results, const std::string& path);

}  // namespace flowbench::report
