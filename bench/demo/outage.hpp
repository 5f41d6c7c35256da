// `flowbench demo outage`: the same light load on both builds while their email (or payment)
// service is stopped for a while and started again. Once a second it prints, side by side,
// what each build does about it: the sync caller's failed calls and circuit breaker against
// the async queue filling up and draining. At the end it reads back every accepted request
// through the read routes and counts what was completed, so "nothing lost" is a count, not
// a claim.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

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
  RunningSystem* system = nullptr;  // the stopped service's pid changes on restart
  std::string amqp_url;             // async: queue depth
  std::function<void()> restarted;  // e.g. save the system file again; may be empty
};

struct OutageTally {
  std::string arch;
  int sent = 0;
  int accepted = 0;   // the scenario's normal answer (sync 201/400-compensated, async 202)
  int errors = 0;     // any other answer, or none
  int completed = 0;  // accepted, and its work is done according to the read routes
  // sync: what the caller's /metrics and log say about its calls to the stopped service
  double downstream_failures = 0;
  int breaker_opened = 0;
  // async: the consumed queue
  std::uint64_t peak_queue_depth = 0;

  int lost() const { return accepted - completed; }
};

struct OutageReport {
  std::vector<OutageTally> builds;
};

OutageReport RunOutageDemo(const OutageOptions& options, const std::vector<OutageBuild>& builds,
                           std::ostream& out);

}  // namespace flowbench::demo
