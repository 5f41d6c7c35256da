// What a load run is asked to do, in k6's terms, as plain data (no Asio): scenarios, each
// with an executor, a request factory and a check. `flowbench run` builds these from the
// contract's profiles (CONTRACT.md §6) and scenario_requests.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bench/stats/recorder.hpp"

namespace flowbench::load {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;

struct HttpRequestSpec {
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::string body;
  std::string content_type = "application/json";
  std::string request_id{};  // non-empty: sent as X-Request-Id (the engine sets it)
};

struct HttpAnswer {
  int status = 0;
  std::string_view body;
};

// Builds iteration `iteration`'s request; `rng` is the VU's own (no shared state).
using RequestFactory =
    std::function<HttpRequestSpec(std::mt19937_64& rng, std::uint64_t iteration)>;
// Every iteration sends the same request: one endpoint hammered, as wrk does by default.
inline RequestFactory FixedRequest(HttpRequestSpec spec) {
  return [spec = std::move(spec)](std::mt19937_64&, std::uint64_t) { return spec; };
}

// nullopt when the answer is what the scenario expects, else kStatus or kCheck.
using ResponseCheck = std::function<std::optional<stats::ErrorKind>(const HttpAnswer&)>;

// Closed loop: `vus` users, each sends, waits for the answer, sleeps `think_time`, repeats.
struct ConstantVus {
  int vus = 1;
  Duration duration = std::chrono::seconds(10);
  Duration think_time = std::chrono::seconds(1);
};

struct RateStage {
  double target_rate = 0;  // iterations per second reached at the end of the stage
  Duration duration{};     // the rate moves linearly from the previous target, as in k6
};

// Open loop: iterations start on schedule whether or not earlier ones finished, each on an
// idle VU (one keep-alive connection each, created on demand up to `max_vus`). One that
// finds no idle VU waits up to `max_start_delay` for one (0, the default, is k6: it is
// dropped at once); one that cannot start in time is counted as dropped, never skipped
// silently. Latency runs from the scheduled time, so a late start shows in it.
//
// An idle worker sleeps until the next iteration is due, and waking takes time: on this
// machine's VMs (haltpoll, no guest polling) ~100 us from a timer, which the corrected latency
// charges to the service. `wake_ahead` > 0 wakes that much earlier and polls the io_context
// (answers keep being read) until the due time: punctual starts for up to wake_ahead x rate
// of a core (2 % at 200 us and 100/s; all of it once iterations come closer than wake_ahead).
// 0, the default, never polls: the CPU stays with the services under test.
// How arrivals are spread around the rate. Uniform: evenly spaced, as k6 does. Poisson:
// independent arrivals (exponential gaps at the momentary rate), as users who do not know
// of each other arrive; it shows the queueing that evenly spaced arrivals hide. Seeded, so
// both builds get the very same schedule.
enum class ArrivalProcess { kUniform, kPoisson };

struct ArrivalRate {
  double start_rate = 0;
  std::vector<RateStage> stages;
  int max_vus = 100;
  Duration max_start_delay{0};
  Duration wake_ahead{0};
  ArrivalProcess process = ArrivalProcess::kUniform;
  std::uint64_t seed = 1;  // the Poisson schedule's; the same seed gives the same times
};

ArrivalRate ConstantArrivalRate(double rate, Duration duration, int max_vus);
ArrivalRate RampingArrivalRate(double start_rate, std::vector<RateStage> stages, int max_vus);
Duration TotalDuration(const ArrivalRate& executor);

using Executor = std::variant<ConstantVus, ArrivalRate>;

struct ScenarioLoad {
  std::string name;  // "scenario6": the key of its results
  std::string host = "127.0.0.1";
  int port = 0;
  Executor executor;
  RequestFactory make_request;
  ResponseCheck check;  // empty: any answer is fine
  Duration request_timeout = std::chrono::seconds(10);
  // Non-empty: every request carries `X-Request-Id: <prefix><iteration>`, unique within the
  // run, which the services carry with the work and name in their completion records.
  std::string request_id_prefix;
  // Non-empty: the Authorization field of every request ("Bearer <token>", `run --gateway`).
  std::string authorization;
};

// What became of one iteration the schedule asked for, kept for every request of a run so
// that nothing vanishes: joined afterwards to the services' completion records.
enum class RequestFate {
  kAnswered,  // an HTTP answer came (status and check decide whether it was accepted)
  kFailed,    // no answer: could not connect, or timed out (see `error`)
  kDropped,   // due, but no VU could start it in time (open loop)
  kCut,       // started, still running when the wait after the load ended
};

struct RequestRecord {
  std::uint64_t iteration = 0;  // the request id is ScenarioLoad::request_id_prefix + this
  Duration intended{};          // since LoadResult::start: the schedule's time (closed: = sent)
  Duration sent{-1};            // since start; -1: never sent (dropped)
  Duration ended{-1};           // since start: answer or failure; -1: dropped or cut
  int status = 0;               // 0: no answer
  RequestFate fate = RequestFate::kAnswered;
  std::optional<stats::ErrorKind> error;  // any error: connect, timeout, status or check
  bool warmup = false;                    // intended before the measured window
  bool Accepted() const { return fate == RequestFate::kAnswered && !error; }
};

struct LoadOptions {
  int threads = 1;  // worker threads, each with its own io_context and recorders
  // After the schedule ends, in-flight iterations get this long to finish (k6's
  // gracefulStop); what is still running then is counted as interrupted.
  Duration graceful_stop = std::chrono::seconds(30);
  Duration progress_interval = std::chrono::seconds(1);
  std::uint64_t seed = 1;  // request factories' randomness
  // The first `warmup` of every scenario's schedule runs as planned (connections opened,
  // caches and pools warmed), but its requests stay out of every recorder and figure; their
  // RequestRecords are flagged `warmup`. Executors' durations include it.
  Duration warmup{0};
};

}  // namespace flowbench::load
