// The results of a `flowbench run`: the data model behind results.json (schema
// "flowbench.results/v2", documented in bench/report/SCHEMA.md; v1 files are still read,
// their v2 fields then hold the defaults below), and what every report (Markdown, HTML, CSV,
// k6 summary) is generated from. Times are in seconds throughout.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flowbench::report {

inline constexpr const char* kSchema = "flowbench.results/v2";
inline constexpr const char* kSchemaV1 = "flowbench.results/v1";

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

// A 95 % confidence interval (bench/report/METHODS.md says how each is computed).
struct Interval {
  double low = 0;
  double high = 0;
};

// The load a scenario was offered. Open: its requests start on a schedule, whatever the
// answers, the very same schedule for both builds; closed: `vus` users each wait for their
// answer, then think (the offered load then depends on the build's answers).
struct Offered {
  std::string model;            // "open" | "closed"
  std::string arrivals;         // open: "poisson" | "uniform"; closed: ""
  double rate_per_s = 0;        // open: the schedule's rate; closed: vus / think time at most
  int vus = 0;                  // closed only
  double think_time_s = 0;      // closed only
  std::uint64_t scheduled = 0;  // open: iterations due in the measured window (same seed, same
                                // count in both builds); closed: iterations started
};

// What became of the requests a build accepted (answered 2xx), from the services' completion
// records joined to the driver's request ids after the drain (CONTRACT.md §5).
struct Outcomes {
  std::uint64_t accepted = 0;       // 2xx answers that passed the check
  std::uint64_t done = 0;           // all of the work happened
  std::uint64_t degraded = 0;       // success answered, part of the work did not happen
  std::uint64_t compensated = 0;    // the saga undid its steps (stock released)
  std::uint64_t failed = 0;         // ended without the work, without compensation
  std::uint64_t dead_lettered = 0;  // a message of it was given up on
  std::uint64_t withdrawn = 0;      // the front withdrew it and said so
  std::uint64_t duplicated = 0;     // more than one completion record for one id
  std::uint64_t unfinished = 0;     // no record when the drain deadline passed, work still queued
  std::uint64_t lost = 0;           // no record and nothing left in any queue
  std::uint64_t unknown_ids = 0;    // records for ids this run never sent (not counted above)
};

// One second of a run (t = seconds since the measured window began), by intended send time.
struct SecondSample {
  double t = 0;
  std::uint64_t offered = 0;   // requests due in this second (dropped ones included)
  std::uint64_t answered = 0;  // of those, answered (any status)
  std::uint64_t errors = 0;    // of those, errors of any kind (dropped and cut included)
  std::optional<double> answer_p50, answer_p99;  // seconds; nullopt: no request this second
  std::optional<double> completion_p99;          // seconds; nullopt: no completion this second
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
  std::optional<LatencySummary> completion;  // see completion_source
  std::vector<Bucket> distribution;          // of `latency`
  // v2 (absent in v1 files, which mean the defaults):
  Offered offered;
  std::uint64_t cut = 0;  // still in flight when the wait after the load ended: errors too
  // "per-request": joined from the services' completion records to the driver's intended
  // send times; "prometheus-buckets": read off flowbench_scenario_completion_seconds (v1).
  std::string completion_source = "prometheus-buckets";
  bool completion_lower_bound = false;  // the run did not drain: the true figures are higher
  std::vector<Bucket> completion_distribution;  // of `completion` (per-request only)
  std::optional<Outcomes> outcomes;             // nullopt: not collected (v1)
  std::vector<SecondSample> timeseries;
  // Within-run 95 % intervals of the figures shown, keyed "answer.p50", "answer.p99",
  // "completion.p99", ... (order statistics); a key is absent when there are too few samples.
  std::map<std::string, Interval> intervals;
  // Of every request the load asked for: answered or failed ones with an error, plus those
  // dropped (never started) and cut (never ended): nothing offered leaves the figure.
  double ErrorRate() const {
    std::uint64_t offered = requests + dropped_iterations + cut;
    return offered == 0 ? 0
                        : static_cast<double>(errors.Total() + dropped_iterations + cut) /
                              static_cast<double>(offered);
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

// The load generator's audit of itself: could it keep the schedule it was asked for?
struct GeneratorAudit {
  double send_lag_p50_ms = 0, send_lag_p99_ms = 0, send_lag_max_ms = 0;  // actual - intended
  double achieved_over_intended = 1;  // requests started / requests scheduled (open loops)
  double client_cpu_s = 0;            // the flowbench process during the load
  bool valid = true;
  std::vector<std::string> problems;  // why it is not valid, in words
};

// For a --target run: the services' clock minus the driver's, estimated NTP-style.
struct ClockOffset {
  double offset_s = 0;
  double uncertainty_s = 0;  // half the best round trip
  std::string method;        // "ntp-style over GET /completions"
};

// A fault injected during a run (`flowbench run --fault`), times in seconds from the start of
// the measured window.
struct Fault {
  std::string kind;    // "broker-kill" | "broker-stop" | "db-kill" | "db-stop" |
                       // "service-kill" | "service-pause" | "slow"
  std::string target;  // "rabbitmq" | "postgres" | a service name
  double start_s = 0;
  double duration_s = 0;
  // From the fault's end until the first second after it whose requests had no error (the
  // per-second series of every scenario together); nullopt: never within the window.
  std::optional<double> recovery_s;
  // When the component answered again (restart done, process resumed); nullopt: it did not.
  std::optional<double> restored_s;
  std::string error;               // what went wrong injecting or ending it; empty: nothing
  std::optional<double> extra_ms;  // "slow": how much longer each simulated step took
};

// One emulated link's round trip, measured through its relay before the run's load
// (`--network`; bench/network/link_probe.hpp).
struct LinkRoundTrip {
  std::string link;  // "user", ... (the driver's and the peers' way to it), "postgres", "rabbitmq",
                     // "rabbitmq-node-N" (the other nodes' way to node N of a cluster)
  double rtt_ms = 0;     // median of (connect + close through the relay) / 2
  double direct_ms = 0;  // the same probe straight at the part: its own reaction to a close
  int relay_port = 0;    // where its relay listened (127.0.0.1; a RabbitMQ node link on
                         // 127.0.2.N, the node's own port), closed when the run ended
};

// The network between the parts (`--network`, bench/network/NETWORK.md). Loopback: the parts
// talk directly (method "none", nothing measured).
struct Network {
  std::string profile = "loopback";  // loopback | lan | zone | region | lossy | custom
  double one_way_delay_ms = 0;
  double jitter_ms = 0;
  double loss = 0;
  std::optional<double> rtt_ms_measured;  // median of every run's links; nullopt: loopback
  std::string method = "none";            // "relay" | "netem" | "none"
  bool netem_available = false;           // what the harmless probe of the kernel found
};

// `run --gateway`: the driver's requests went through the build's API gateway (with a token).
// `added`: the gateway's own time per forwarded request (from the request read to the answer
// written, less the exchange with the service), from its histogram; the hop's share of the
// answer latency is added.p50 / overall.p50 (and p99 / p99).
struct GatewayHop {
  std::string url;                      // where the driver sent its requests
  std::uint64_t forwarded = 0;          // requests it forwarded during the run (warm-up included)
  std::optional<LatencySummary> added;  // nullopt: its /metrics did not answer
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
  // v2:
  double warmup_seconds = 0;  // load before the measured window, excluded from every figure
  std::optional<GeneratorAudit> generator;  // nullopt in v1 files
  std::optional<ClockOffset> clock_offset;  // --target runs
  int order = 0;  // 1-based position of this run in the interleaved order of --repeat
  // What went wrong collecting completion records (a service restarted, records overwritten
  // before they were read, a clock offset too far off): the figures are then incomplete.
  std::vector<std::string> completion_problems;
  std::vector<Fault> faults;                 // --fault (absent in older v2 files: none)
  std::vector<LinkRoundTrip> network_links;  // --network: each link's round trip (else empty)
  std::optional<GatewayHop> gateway;         // --gateway (absent: straight to the services)

  std::uint64_t Requests() const;
  std::uint64_t Errors() const;
  double CpuSecondsPer1000Requests() const;
  const ScenarioResult* Scenario(const std::string& id) const;
};

// The experiment's design, stated once for the whole file.
struct Design {
  std::string model;     // "open" | "closed"
  std::string arrivals;  // "poisson" | "uniform"
  std::uint64_t seed = 0;
  double warmup_s = 0;
  int repeats = 1;
  std::vector<std::string> order;  // "async#1", "sync#1", ...: the order the runs went in
};

// One compared figure (e.g. scenario2 completion.p99 in profile baseline): each build's value
// with its interval, and the sync/async ratio with its interval.
struct ComparedFigure {
  std::string profile, scenario, figure;  // figure: "answer.p99", "completion.p99", ...
  double sync_value = 0, async_value = 0;
  std::optional<Interval> sync_interval, async_interval;
  std::optional<double> ratio;  // sync / async
  std::optional<Interval> ratio_interval;
  std::string method;            // "order-statistics" | "student-t" | "welch-log" | "bonferroni"
  bool distinguishable = false;  // the ratio's interval leaves out 1
};

// The RabbitMQ the async build ran on: how many nodes, the type of its queues, and how long
// the broker took to confirm a persistent publish to a queue of that type (a probe before
// the load: bench/run/broker_probe.hpp).
struct Broker {
  int nodes = 1;
  std::string queue_type;  // "classic" | "quorum"; empty: not known (no async run)
  // What a service pays for a confirm: with --network through its link to the broker, else
  // straight to it. nullopt: not measured (older files).
  std::optional<double> confirm_ms_p50;
  std::optional<double> confirm_ms_p99;
  // --network only: the broker's own confirm, straight to it (nullopt on loopback, where
  // confirm_ms_* is that already, and in older files).
  std::optional<double> own_confirm_ms_p50;
  std::optional<double> own_confirm_ms_p99;
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
  // v2:
  std::optional<Design> design;            // nullopt in v1 files
  std::vector<ComparedFigure> statistics;  // empty when one build only, or v1
  std::optional<Network> network;          // nullopt in files written before --network
  std::optional<Broker> broker;            // the embedded broker's; absent in older files

  std::vector<const ProfileRun*> Runs(const std::string& arch, const std::string& profile) const;
};

boost::json::object ToJson(const RunResults& results);
boost::json::object ToJson(const Network& network);
boost::json::object ToJson(const Broker& broker);
Network NetworkFromJson(const boost::json::object& json);       // strict; throws on a bad object
RunResults RunResultsFromJson(const boost::json::value& json);  // strict; throws on a bad file
RunResults LoadResults(const std::string& path);
void SaveResults(const RunResults& results, const std::string& path);

}  // namespace flowbench::report
