// `flowbench demo <scenario>` for one build: sends ONE request with a fresh sampled W3C
// traceparent, prints every hop of its trace as it happens (read from the services' logs),
// and waits until the work is over: the answer came, every request, call and message that
// opened was closed, the watched state settled, and the logs stayed quiet for a moment.
// Then it prints the eventual state. Everything goes to an ostream, so tests read it too.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "bench/demo/hop.hpp"
#include "bench/demo/service_client.hpp"
#include "common/domain/catalogue.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::demo {

struct DemoTarget {
  const RunningSystem* system = nullptr;  // its arch, ports and log files
  std::string amqp_url;                   // async: to show the queues drain; may be empty
  std::optional<GatewayAccess> gateway;   // --gateway: the request goes through it
};

struct DemoOptions {
  std::chrono::milliseconds answer_timeout{60'000};  // for the request itself
  std::chrono::milliseconds settle_timeout{60'000};  // then for the work behind it
  std::chrono::milliseconds quiet{300};  // no new hop for this long: nothing more is coming
  std::function<void()> between_hops;    // --step: called after each hop (wait for Enter)
  const std::atomic<bool>* interrupted = nullptr;  // Ctrl-C: stop waiting, print what came
};

struct DemoOutcome {
  std::string trace_id;
  JsonReply answer;
  std::vector<Hop> hops;                    // in the order printed, the client's own two included
  std::vector<std::string> eventual_state;  // one line per watched value
  bool finished = false;                    // all settled before the timeout
};

DemoOutcome RunScenarioDemo(const ScenarioSpec& scenario, const DemoTarget& target,
                            const DemoOptions& options, std::ostream& out);

}  // namespace flowbench::demo
