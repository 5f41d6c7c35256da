// The knobs of the blocking-HTTP runtime, one struct with commented defaults, bound to flags
// and FLOWBENCH_* environment variables. Every one of them shapes a measurement, so the
// benchmark scripts write them into their results.
#pragma once

#include <boost/json.hpp>
#include <chrono>

#include "common/service/connection_limits.hpp"
#include "synchronous/runtime/circuit_breaker.hpp"
#include "synchronous/runtime/retry.hpp"

namespace CLI {
class App;
}

namespace flowbench::sync {

using std::chrono::milliseconds;

struct ServerSettings {
  // Worker threads of each service's HTTP server (cpp-httplib's default is 8). httplib
  // serves a whole keep-alive connection on one worker, so this is also the number of
  // connections a service serves at once; the others wait in its queue.
  int threads = 64;
  // Requests per keep-alive connection before the server closes it (httplib's default is 5,
  // which makes every client reconnect all the time).
  int keep_alive_max_count = 100'000;
  // An idle keep-alive connection is closed after this long, freeing its worker.
  int keep_alive_timeout_s = 5;
  // On SIGTERM: requests in flight get this long to finish (answered with Connection:
  // close); then the process exits and what is still running is cut off.
  std::chrono::milliseconds drain_timeout{10'000};
  // Connections the kernel queues before the server accepts them. cpp-httplib listens with
  // a backlog of 5, so a burst of new connections was reset; we raise it after binding.
  int listen_backlog = 1024;
  // Longest silence while a request arrives (each read); the whole request has
  // connections.request_deadline.
  int read_timeout_s = 5;
  // --max-connections, --request-deadline-ms (the async build's flags too). The cap counts
  // connections being served, idle between requests, and still sending their first request
  // (those hold no worker); 1024 is 16 times the default workers.
  ConnectionLimits connections;
};

struct DownstreamSettings {
  int pool_size = 10;                        // connections per target (the original study's)
  milliseconds connect_timeout{10'000};      // also the longest wait for a free connection
  milliseconds read_timeout{10'000};         // for the answer of a call
  milliseconds report_read_timeout{20'000};  // for calls to the report service (10 s of CPU)
  // A pooled connection idle for longer is closed rather than reused: shorter than the
  // servers' keep-alive timeout, so we never send on a connection the peer is closing.
  milliseconds max_idle{4'000};
  RetrySettings retry;      // idempotent calls only
  BreakerSettings breaker;  // one breaker per target
};

// The order saga's recovery (the order service only; CONTRACT §3.7).
struct SagaSettings {
  // A pending order older than this is taken for a saga that was interrupted (a crash of the
  // order service) and compensated by the sweeper. It must exceed the longest create_order
  // request (reserve, authorise, void and release with their pool waits, timeouts and
  // retries: about 3.5 min at worst with the defaults), or the sweeper would compensate an order
  // still in progress.
  milliseconds deadline{300'000};
  milliseconds sweep_interval{10'000};  // the sweeper runs at start-up, then this often
};

struct SyncSettings {
  ServerSettings server;
  DownstreamSettings downstream;
  SagaSettings saga;
};

// --http-threads, --keep-alive-max-count, --keep-alive-timeout-s, --listen-backlog,
// --http-read-timeout-s, --drain-timeout-ms, --max-connections, --request-deadline-ms,
// --downstream-pool-size, --downstream-connect-timeout-ms, --downstream-read-timeout-ms,
// --report-read-timeout-ms, --downstream-max-idle-ms, --retry-max-attempts,
// --retry-base-delay-ms, --retry-max-delay-ms, --breaker-failure-threshold,
// --breaker-open-ms, --breaker-half-open-successes, --saga-deadline-ms,
// --saga-sweep-interval-ms; FLOWBENCH_HTTP_THREADS, ... alike.
void BindSyncSettings(CLI::App& app, SyncSettings& settings);

boost::json::object ToJson(const SyncSettings& settings);

}  // namespace flowbench::sync
