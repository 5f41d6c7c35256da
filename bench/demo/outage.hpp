// `flowbench demo outage`: the same light load on both builds while their email (or payment)
// service is stopped for a while and started again. Once a second it prints, side by side,
// what each build does about it: the sync caller's failed calls and circuit breaker against
// the async queue filling up and draining. At the end it reads back every accepted request
// through the read routes and counts what was completed, so "nothing lost" is a count, not
// a claim. With --gateway the load goes through each build's API gateway, and with a rate
// limit a burst follows the outage (rate_limit_burst.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/demo/rate_limit_burst.hpp"
#include "bench/demo/service_client.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::demo {

struct OutageOptions {
  std::string service = "email";             // "email" (scenario 1) or "payment" (scenario 5)
  std::chrono::milliseconds before{3'000};   // load with everything up
  std::chrono::milliseconds outage{10'000};  // the service is away
  std::chrono::milliseconds after{5'000};    // load after its restart
  double rate = 4;                           // requests per second on each build
  std::chrono::milliseconds catch_up_timeout{60'000};  // for the accepted work to finish
  std::chrono::milliseconds report_interval{1'000};
  // Ctrl-C: the load stops and the stopped service is started again at once.
  const std::atomic<bool>* interrupted = nullptr;
  // --gateway with a rate limit: after the outage, this many requests at once through each
  // build's gateway (0: no burst); `rate_limit` describes the limit for the narration.
  int burst_requests = 0;
  std::string rate_limit;  // "5/s, burst 5"
};

// The scenario an outage of `service` is shown with, and its caller; throws
// std::invalid_argument for a service the demo has no story for.
struct OutageStory {
  std::string_view service;   // "email"
  std::string_view scenario;  // "scenario1"
  std::string_view caller;    // "user": calls it (sync), publishes to it (async)
  std::string_view queue;     // "user_registered_queue": what it consumes (async)
  std::string_view work;      // "welcome emails sent"
};
const OutageStory& FindOutageStory(std::string_view service);

struct OutageBuild {
  RunningSystem* system = nullptr;       // the stopped service's pid changes on restart
  std::string amqp_url;                  // async: queue depth
  std::function<void()> restarted;       // e.g. save the system file again; may be empty
  std::optional<GatewayAccess> gateway;  // --gateway: the load goes through it
};

struct OutageTally {
  std::string arch;
  int sent = 0;
  int accepted = 0;      // the scenario's normal answer (sync 201/400-compensated, async 202)
  int errors = 0;        // any other answer, or none (429s included)
  int rate_limited = 0;  // of the errors: 429 from the gateway
  int completed = 0;     // accepted, and its work is done according to the read routes
  // sync: what the caller's /metrics and log say about its calls to the stopped service
  double downstream_failures = 0;
  int breaker_opened = 0;
  // async: the consumed queue
  std::uint64_t peak_queue_depth = 0;

  int lost() const { return accepted - completed; }
};

struct OutageReport {
  std::vector<OutageTally> builds;
  std::vector<BurstTally> bursts;  // the rate-limit part, per build, when there was one
};

OutageReport RunOutageDemo(const OutageOptions& options, const std::vector<OutageBuild>& builds,
                           std::ostream& out);

}  // namespace flowbench::demo
