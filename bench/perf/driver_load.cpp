// Drives one URL with the load engine exactly as `flowbench run` does (load::LoadRun,
// per-worker recorders, corrected and uncorrected histograms), so that it can be set side
// by side with wrk on the same endpoint (bench/perf/driver_vs_wrk.sh). Prints one JSON
// object on stdout.
//
//   driver_load --url http://127.0.0.1:8080/ --connections 32 --duration 10      # max rate
//   driver_load --url http://127.0.0.1:8080/ --connections 1 --rate 100          # fixed rate
//
// Max rate is wrk's closed loop: every connection sends its next request as soon as the
// answer arrives (constant-vus, zero think time). A fixed rate is constant-arrival-rate.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

#include "bench/load/generator_audit.hpp"
#include "bench/load/load_run.hpp"
#include "bench/stats/stats_json.hpp"

namespace {
using namespace flowbench;
namespace json = boost::json;

// Every setting that shapes the measurement is echoed into the output.
struct DriverOptions {
  std::string url = "http://127.0.0.1:8080/";
  int connections = 32;  // VUs, one keep-alive connection each (wrk -c)
  int threads = 1;       // load engine workers (wrk -t)
  double duration_s = 10;
  double rate = 0;        // requests/s; 0: max rate (closed loop, zero think time)
  double timeout_s = 10;  // per request
  // Fixed rate only: wake this long before each due time and poll (ArrivalRate::wake_ahead);
  // 0, as `flowbench run` leaves it, sleeps until the timer fires.
  double wake_ahead_us = 0;
};

struct Url {
  std::string host;
  int port = 80;
  std::string target = "/";
};

// http://host[:port][/target]; the driver speaks plain HTTP only.
Url ParseUrl(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  if (!text.starts_with(kScheme)) {
    throw std::invalid_argument("only http:// URLs: " + std::string(text));
  }
  text.remove_prefix(kScheme.size());
  Url url;
  std::size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) url.target = std::string(text.substr(slash));
  std::size_t colon = authority.rfind(':');
  url.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (error != std::errc{} || end != port.data() + port.size() || url.port <= 0 ||
        url.port > 65535) {
      throw std::invalid_argument("bad port in URL: " + std::string(port));
    }
  }
  if (url.host.empty()) throw std::invalid_argument("no host in URL");
  return url;
}

json::object LatencyToJson(const stats::LatencyHistogram& h) {
  stats::HistogramSummary s = h.Summary();
  return {{"count", s.count}, {"min", s.min_ns},   {"p50", s.p50_ns}, {"p90", s.p90_ns},
          {"p99", s.p99_ns},  {"p999", s.p999_ns}, {"max", s.max_ns}, {"mean", s.mean_ns}};
}

// The generator's own punctuality (fixed rate only; max rate has no schedule to keep).
json::object GeneratorToJson(const load::GeneratorAudit& a) {
  json::array problems;
  for (const std::string& p : a.problems) problems.emplace_back(p);
  return {
      {"send_lag_p50_ms", a.send_lag_p50_ms}, {"send_lag_p99_ms", a.send_lag_p99_ms},
      {"send_lag_max_ms", a.send_lag_max_ms}, {"achieved_over_intended", a.achieved_over_intended},
      {"client_cpu_s", a.client_cpu_s},       {"valid", a.valid},
      {"problems", std::move(problems)}};
}

json::object Drive(const DriverOptions& o) {
  const Url url = ParseUrl(o.url);
  const auto duration =
      std::chrono::duration_cast<load::Duration>(std::chrono::duration<double>(o.duration_s));
  load::ScenarioLoad scenario;
  scenario.name = "trivial";
  scenario.host = url.host;
  scenario.port = url.port;
  if (o.rate > 0) {
    load::ArrivalRate plan = load::ConstantArrivalRate(o.rate, duration, o.connections);
    plan.wake_ahead = std::chrono::duration_cast<load::Duration>(
        std::chrono::duration<double, std::micro>(o.wake_ahead_us));
    scenario.executor = plan;
  } else {
    scenario.executor = load::ConstantVus{o.connections, duration, load::Duration::zero()};
  }
  scenario.make_request = load::FixedRequest(load::HttpRequestSpec{"GET", url.target, "", ""});
  // As wrk counts "Non-2xx or 3xx responses".
  scenario.check = [](const load::HttpAnswer& a) -> std::optional<stats::ErrorKind> {
    if (a.status < 200 || a.status >= 400) return stats::ErrorKind::kStatus;
    return std::nullopt;
  };
  scenario.request_timeout =
      std::chrono::duration_cast<load::Duration>(std::chrono::duration<double>(o.timeout_s));

  load::LoadOptions options;
  options.threads = o.threads;
  options.graceful_stop = scenario.request_timeout;
  load::LoadResult result = load::LoadRun({scenario}, options).Run();

  const load::ScenarioRecording& r = result.scenarios.at(0);
  const stats::Recorder& recorder = r.recorder;
  const double elapsed_s = std::chrono::duration<double>(result.elapsed).count();
  return {
      {"tool", "flowbench driver_load (load::LoadRun)"},
      {"url", o.url},
      {"mode", o.rate > 0 ? "constant-arrival-rate" : "max-rate (constant-vus, zero think time)"},
      {"connections", o.connections},
      {"threads", o.threads},
      {"duration_s", o.duration_s},
      {"target_rate", o.rate},
      {"wake_ahead_us", o.wake_ahead_us},
      {"started", recorder.Started()},
      {"completed", recorder.Completed()},
      {"answered", recorder.Answered()},
      {"dropped", recorder.Dropped()},
      {"interrupted", r.interrupted},
      {"errors", stats::ErrorsToJson(recorder.Errors())},
      {"errors_total", recorder.Errors().Total()},
      {"elapsed_s", elapsed_s},
      // As `flowbench run` reports rates: over the time load was offered. The last requests
      // end a few microseconds after it; `elapsed_s` also holds thread start and join.
      {"requests_per_second", static_cast<double>(recorder.Completed()) / o.duration_s},
      {"latency_ns", LatencyToJson(recorder.Corrected())},
      {"latency_uncorrected_ns", LatencyToJson(recorder.Uncorrected())},
      {"generator", GeneratorToJson(load::AuditGenerator(result))},
  };
}

}  // namespace

int main(int argc, char** argv) {
  DriverOptions o;
  CLI::App app{"Drive one URL with flowbench's load engine and print what it measured as JSON"};
  app.add_option("--url", o.url, "http://host:port/target")->capture_default_str();
  app.add_option("--connections,-c", o.connections, "connections (VUs)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--threads,-t", o.threads, "load engine threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--duration,-d", o.duration_s, "seconds of load")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rate", o.rate, "requests/s (constant arrival rate); 0: max rate, closed loop")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--timeout", o.timeout_s, "seconds before a request counts as a timeout")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--wake-ahead-us", o.wake_ahead_us,
                 "fixed rate: wake this many us before each due time and poll (0: sleep)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    std::cout << json::serialize(Drive(o)) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "driver_load: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
