// `flowbench demo outage --gateway` with a rate limit: after the outage, a burst of requests
// sent at once through each build's gateway. The gateway's token bucket (per subject: the
// demo's one token) lets `burst` of them through and answers the rest 429 with Retry-After
// at once, without asking the build. What each build's answers were, how long they took, and
// whether the gateway's own counter agrees with the 429s the demo saw.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "bench/demo/service_client.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench::demo {

struct BurstTally {
  std::string arch;
  int sent = 0;
  int accepted = 0;          // the scenario's normal answer (sync 201, async 202, ...)
  int rate_limited = 0;      // 429
  int with_retry_after = 0;  // of the 429s, those that carried Retry-After
  int other = 0;             // any other answer, or none
  double slowest_accepted_ms = 0;
  double slowest_rate_limited_ms = 0;
  std::string retry_after;  // the Retry-After of the last 429 ("1": seconds)
  // flowbench_gateway_rate_limited_total's increase over the burst (its /metrics)
  double gateway_counted = 0;
};

// Sends `requests` requests of `scenario` at once (each on its own thread) through `gateway`
// and waits for every answer.
BurstTally SendBurst(const ScenarioSpec& scenario, Arch arch, const GatewayAccess& gateway,
                     int requests);

// One line per build, for the narration: "  sync : 5 answered as the contract says ...".
std::string DescribeBurst(const BurstTally& tally);

}  // namespace flowbench::demo
