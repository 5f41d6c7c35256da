// The HTTP limit: the trivial Beast server (one thread) driven as hard as a closed loop with
// zero think time drives it, by flowbench's own load engine in this process (one worker
// thread). On this 2-core machine that is one core for the server and one for the client:
// the same split as a build's front and the driver.
#include <chrono>
#include <stdexcept>
#include <string>

#include "bench/limits/physical_limits.hpp"
#include "bench/limits/trivial_http_server.hpp"
#include "bench/load/load_run.hpp"
#include "bench/stats/stats_json.hpp"

namespace flowbench::limits {
namespace {

constexpr int kLoadThreads = 1;
constexpr std::chrono::seconds kRequestTimeout{10};

}  // namespace

sweep::PhysicalLimit MeasureHttpLimit(const LimitProbeOptions& options) {
  if (options.http_connections < 1) throw std::invalid_argument("http_connections must be >= 1");
  if (options.duration <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("the probe's duration must be positive");
  }
  TrivialHttpServer server;

  load::ScenarioLoad scenario;
  scenario.name = "http-limit";
  scenario.host = "127.0.0.1";
  scenario.port = server.Port();
  scenario.executor =
      load::ConstantVus{options.http_connections, options.duration, load::Duration::zero()};
  scenario.make_request = load::FixedRequest(load::HttpRequestSpec{"GET", "/", "", ""});
  scenario.check = [](const load::HttpAnswer& answer) -> std::optional<stats::ErrorKind> {
    if (answer.status != 200) return stats::ErrorKind::kStatus;
    return std::nullopt;
  };
  scenario.request_timeout = kRequestTimeout;
  load::LoadOptions load_options;
  load_options.threads = kLoadThreads;
  load_options.graceful_stop = kRequestTimeout;
  load::LoadResult result = load::LoadRun({scenario}, load_options).Run();

  const load::ScenarioRecording& recording = result.scenarios.at(0);
  const stats::Recorder& recorder = recording.recorder;
  const stats::ErrorCounts& errors = recorder.Errors();
  // Answers that were the fixed 200 (a wrong status is an error, not a rate).
  const std::uint64_t ok =
      recorder.Answered() - std::min(recorder.Answered(), errors.Of(stats::ErrorKind::kStatus) +
                                                              errors.Of(stats::ErrorKind::kCheck));
  const double window_s = std::chrono::duration<double>(options.duration).count();

  sweep::PhysicalLimit limit;
  limit.name = "http";
  limit.rps = static_cast<double>(ok) / window_s;
  limit.method =
      "trivial Beast server (one thread, GET / -> 15-byte JSON), driven by "
      "flowbench's load engine (one thread, same process) in a closed loop: " +
      std::to_string(options.http_connections) + " keep-alive connections, zero think time, " +
      std::to_string(options.duration.count()) + " ms; rate = 200 answers / window";
  limit.details = {
      {"connections", options.http_connections},
      {"load_threads", kLoadThreads},
      {"server_threads", 1},
      {"window_s", window_s},
      {"elapsed_s", std::chrono::duration<double>(result.elapsed).count()},
      {"started", recorder.Started()},
      {"answered", recorder.Answered()},
      {"ok", ok},
      {"errors", stats::ErrorsToJson(errors)},
      {"errors_total", errors.Total()},
      {"interrupted", recording.interrupted},
      {"server_answered", server.Answered()},
      {"latency", stats::SummaryToJson(recorder.Uncorrected().Summary())},
  };
  return limit;
}

}  // namespace flowbench::limits
