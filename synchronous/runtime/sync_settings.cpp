#include "synchronous/runtime/sync_settings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <string>

namespace flowbench::sync {
namespace {

std::string EnvName(std::string flag) {
  flag.erase(0, 2);
  std::replace(flag.begin(), flag.end(), '-', '_');
  std::transform(flag.begin(), flag.end(), flag.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "FLOWBENCH_" + flag;
}

void AddInt(CLI::App& app, const std::string& flag, int& target, int min, int max,
            const std::string& help, const char* group) {
  app.add_option(flag, target, help)
      ->envname(EnvName(flag))
      ->check(CLI::Range(min, max))
      ->capture_default_str()
      ->group(group);
}

void AddMs(CLI::App& app, const std::string& flag, milliseconds& target, const std::string& help,
           const char* group, int min = 1) {
  app.add_option_function<std::int64_t>(
         flag, [&target](std::int64_t ms) { target = milliseconds(ms); }, help)
      ->envname(EnvName(flag))
      ->check(CLI::Range(std::int64_t{min}, std::int64_t{3'600'000}))
      ->default_str(std::to_string(target.count()))
      ->group(group);
}

}  // namespace

void BindSyncSettings(CLI::App& app, SyncSettings& s) {
  const char* server = "HTTP server (sync build)";
  AddInt(app, "--http-threads", s.server.threads, 1, 4096,
         "worker threads = connections served at once", server);
  AddInt(app, "--keep-alive-max-count", s.server.keep_alive_max_count, 1, 100'000'000,
         "requests per keep-alive connection", server);
  AddInt(app, "--keep-alive-timeout-s", s.server.keep_alive_timeout_s, 1, 3600,
         "idle keep-alive connections are closed after this", server);
  AddInt(app, "--listen-backlog", s.server.listen_backlog, 1, 65535,
         "connections queued by the kernel before accept (capped by net.core.somaxconn)", server);
  AddInt(app, "--http-read-timeout-s", s.server.read_timeout_s, 1, 3600,
         "longest silence while a request arrives (each read)", server);
  AddMs(app, "--drain-timeout-ms", s.server.drain_timeout,
        "on SIGTERM: time for the requests in flight to finish", server, 0);
  BindConnectionLimits(app, s.server.connections, server);

  const char* client = "Downstream calls (sync build)";
  DownstreamSettings& d = s.downstream;
  AddInt(app, "--downstream-pool-size", d.pool_size, 1, 1024, "connections per target", client);
  AddMs(app, "--downstream-connect-timeout-ms", d.connect_timeout,
        "connect timeout, and the longest wait for a free pooled connection", client);
  AddMs(app, "--downstream-read-timeout-ms", d.read_timeout, "read timeout of a call", client);
  AddMs(app, "--report-read-timeout-ms", d.report_read_timeout,
        "read timeout of calls to the report service", client);
  AddMs(app, "--downstream-max-idle-ms", d.max_idle,
        "reconnect instead of reusing a connection idle this long", client);
  AddInt(app, "--retry-max-attempts", d.retry.max_attempts, 1, 20,
         "attempts of an idempotent call (1: no retry)", client);
  AddMs(app, "--retry-base-delay-ms", d.retry.base_delay, "back-off before the first retry", client,
        0);
  AddMs(app, "--retry-max-delay-ms", d.retry.max_delay, "cap of the back-off", client, 0);
  AddInt(app, "--breaker-failure-threshold", d.breaker.failure_threshold, 1, 100'000,
         "consecutive failures that open a target's circuit", client);
  AddMs(app, "--breaker-open-ms", d.breaker.open_duration,
        "how long an open circuit fails fast before a trial call", client);
  AddInt(app, "--breaker-half-open-successes", d.breaker.half_open_successes, 1, 1000,
         "successful trial calls that close the circuit", client);

  const char* saga = "Order saga recovery (sync build)";
  AddMs(app, "--saga-deadline-ms", s.saga.deadline,
        "a pending order older than this is compensated by the sweeper (must exceed the longest "
        "create_order request)",
        saga);
  AddMs(app, "--saga-sweep-interval-ms", s.saga.sweep_interval,
        "how often the order service looks for pending orders past the deadline", saga);
}

boost::json::object ToJson(const SyncSettings& s) {
  const DownstreamSettings& d = s.downstream;
  boost::json::object json{{"http_threads", s.server.threads},
                           {"keep_alive_max_count", s.server.keep_alive_max_count},
                           {"keep_alive_timeout_s", s.server.keep_alive_timeout_s},
                           {"listen_backlog", s.server.listen_backlog},
                           {"http_read_timeout_s", s.server.read_timeout_s},
                           {"downstream_pool_size", d.pool_size},
                           {"downstream_connect_timeout_ms", d.connect_timeout.count()},
                           {"downstream_read_timeout_ms", d.read_timeout.count()},
                           {"report_read_timeout_ms", d.report_read_timeout.count()},
                           {"downstream_max_idle_ms", d.max_idle.count()},
                           {"retry_max_attempts", d.retry.max_attempts},
                           {"retry_base_delay_ms", d.retry.base_delay.count()},
                           {"retry_max_delay_ms", d.retry.max_delay.count()},
                           {"breaker_failure_threshold", d.breaker.failure_threshold},
                           {"breaker_open_ms", d.breaker.open_duration.count()},
                           {"breaker_half_open_successes", d.breaker.half_open_successes},
                           {"saga_deadline_ms", s.saga.deadline.count()},
                           {"saga_sweep_interval_ms", s.saga.sweep_interval.count()}};
  AddToJson(json, s.server.connections);
  return json;
}

}  // namespace flowbench::sync
