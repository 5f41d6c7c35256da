// A blocking HTTP client for one downstream service, as a well-built thread-per-request
// system has it: a bounded pool of keep-alive connections (a caller waits for a free one at
// most the connect timeout), connect and read timeouts, retries with back-off for idempotent
// calls only, a circuit breaker, the W3C traceparent and the driver's X-Request-Id on every
// call, and metrics (flowbench_downstream_request_duration_seconds, _failures_total,
// circuit_breaker_state).
#pragma once

#include <httplib.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/errors.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/trace.hpp"
#include "synchronous/runtime/circuit_breaker.hpp"
#include "synchronous/runtime/retry.hpp"
#include "synchronous/runtime/sync_settings.hpp"

namespace flowbench::sync {

// What a call carries from the request that makes it: its trace (a child span per call) and
// the driver's request id (empty: none), so the service that ends the work can record it.
struct CallOrigin {
  const TraceContext& trace;
  std::string_view request_id;
};

// A call that certainly never reached the peer: its circuit was open, no pooled connection
// was free, or the connection was refused. A caller of a call that is not idempotent may take
// it as not made; any other ServiceUnavailable leaves its outcome unknown.
class NotDelivered : public ServiceUnavailable {
 public:
  using ServiceUnavailable::ServiceUnavailable;
};

class Downstream {
 public:
  // target: the service name ("payment"), used in metrics, errors and the breaker.
  Downstream(std::string target, std::string base_url, const DownstreamSettings& settings,
             Metrics& metrics);
  Downstream(const Downstream&) = delete;
  Downstream& operator=(const Downstream&) = delete;

  // POSTs `body` as JSON and returns the peer's JSON answer (2xx). A 4xx answer is rethrown
  // as the peer's ClientError. An unreachable, failing (5xx) or too slow peer, an open
  // circuit or a pool with no free connection is a ServiceUnavailable naming the target; a
  // NotDelivered when no attempt can have reached the peer.
  boost::json::object Post(std::string_view path, const boost::json::object& body,
                           const CallOrigin& origin, Idempotency idempotency);

  const std::string& target() const { return target_; }
  CircuitBreaker::State breaker_state() const { return breaker_.state(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct IdleConnection {
    std::unique_ptr<httplib::Client> client;
    Clock::time_point last_used;
  };
  class Lease;

  std::unique_ptr<httplib::Client> Acquire();
  void Release(std::unique_ptr<httplib::Client> client, bool reusable);
  std::unique_ptr<httplib::Client> NewClient() const;

  const std::string target_;
  const std::string base_url_;
  const DownstreamSettings settings_;
  const std::chrono::milliseconds read_timeout_;
  Metrics& metrics_;
  std::atomic<CircuitBreaker::State> logged_state_{CircuitBreaker::State::kClosed};
  CircuitBreaker breaker_;

  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<IdleConnection> idle_;  // most recently used last
  int open_ = 0;                      // connections idle or lent out
};

}  // namespace flowbench::sync
