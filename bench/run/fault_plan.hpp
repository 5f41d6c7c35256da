// The faults of `flowbench run --fault KIND[:TARGET]@START+DURATION`: what to break, when
// (from the start of the measured window) and for how long, the same for both builds.
// Parsed before anything starts, so a typo is a clear error and not a half-run experiment.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace flowbench::run {

enum class FaultKind {
  kBrokerKill,    // SIGKILL RabbitMQ; started again on its data after DURATION
  kBrokerStop,    // RabbitMQ stopped cleanly; started again after DURATION
  kDbKill,        // SIGKILL PostgreSQL's postmaster; started again after DURATION
  kDbStop,        // PostgreSQL stopped (fast shutdown); started again after DURATION
  kServiceKill,   // SIGKILL one service; started again with its own argv after DURATION
  kServicePause,  // SIGSTOP one service; SIGCONT after DURATION
  kSlow,          // one service's simulated work MS slower (PUT /fault/slow) for DURATION
  // SIGKILL node N of the embedded RabbitMQ cluster; started again on its data after DURATION
  // (it rejoins the cluster; quorum queues keep a majority meanwhile)
  kBrokerNodeKill,
  // --network: the named part's relay link holds everything (open connections stalled, new
  // ones hang) for DURATION, then heals
  kPartition,
};

struct FaultSpec {
  FaultKind kind = FaultKind::kBrokerKill;
  // "rabbitmq", "postgres", the service's name, or "rabbitmq-N" (kBrokerNodeKill, N from 1);
  // kPartition: a part, a service's name or "postgres" / "rabbitmq"
  std::string target;
  int broker_node = 0;  // kBrokerNodeKill: N, the cluster's node (1 is the first)
  std::chrono::milliseconds start{0};
  std::chrono::milliseconds duration{0};
  std::chrono::milliseconds extra{0};  // kSlow: how much longer each simulated step takes
};

// "broker-kill@20s+10s", "service-pause:payment@5s+3s", "slow:email+500@5s+10s",
// "broker-node-kill:2@5s+10s" ... Throws
// std::invalid_argument naming what is wrong and what is expected.
FaultSpec ParseFault(const std::string& text);

std::string_view FaultKindName(FaultKind kind);

}  // namespace flowbench::run
