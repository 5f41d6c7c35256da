// The settings of the async runtime (transport only; the simulated work is WorkloadSettings).
// Every one of them shapes a measurement, so reports print ToJson() of what was in force.
#pragma once

#include <boost/json.hpp>
#include <chrono>

#include "common/domain/topology.hpp"
#include "common/service/connection_limits.hpp"

namespace CLI {
class App;
}

namespace flowbench::async {

using Milliseconds = std::chrono::milliseconds;

struct AsyncRuntimeSettings {
  int prefetch = topology::kDefaultPrefetch;  // unacked deliveries per consumer: messages one
                                              // process works on at once
  bool publish_confirm = true;  // answer 202/200 only after the broker confirmed the message
  int confirm_window =
      topology::kDefaultConfirmWindow;     // publishes awaiting a confirm on one connection at most
  Milliseconds confirm_timeout{5000};      // no confirm by then: 503
  int cpu_pool_size = 0;                   // report workers; 0: the number of cores
  int retry_attempts = 3;                  // retries after a failed handling, then <queue>.dlq
  Milliseconds retry_base_delay{1000};     // retry n waits base * 2^(n-1)
  int click_batch_size = 200;              // clicks written per INSERT at most
  Milliseconds click_flush_interval{100};  // a batch waits at most this long for more clicks
  // Back-off cap when RabbitMQ is unreachable. Short: an attempt while nothing listens costs
  // one refused TCP connect, and every moment after the broker is back spent waiting to try
  // again is answered 503 (clicks) or delivered late (a 2 s cap cost up to 2 s of errors).
  Milliseconds reconnect_max_delay{500};
  Milliseconds http_idle_timeout{30000};  // keep-alive connection without a request: closed
  Milliseconds drain_timeout{10000};      // on SIGTERM: time to finish in-flight work
  ConnectionLimits connections;           // --max-connections, --request-deadline-ms
  // --queue-type: the type of every queue the build declares (work, delay and dead-letter
  // queues). "auto": quorum when the AMQP URL lists several nodes (a cluster), else classic;
  // ResolveQueueType makes it concrete at start-up.
  std::string queue_type = "auto";

  int CpuPoolSize() const;  // cpu_pool_size, or the core count when 0
};

// --prefetch, --publish-confirm, ... each also read from FLOWBENCH_PREFETCH, ...
void BindAsyncRuntimeSettings(CLI::App& app, AsyncRuntimeSettings& settings);

boost::json::object ToJson(const AsyncRuntimeSettings& settings);

// settings.queue_type "auto" made concrete for `amqp_url` (a comma-separated list is a
// cluster's nodes): "quorum" for several nodes, "classic" for one.
void ResolveQueueType(AsyncRuntimeSettings& settings, const std::string& amqp_url);

}  // namespace flowbench::async
