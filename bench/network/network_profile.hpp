// The emulated network between the parts of a run (`--network PROFILE`): one shape for
// every link, a link being one direction-pair of TCP connections that one part opens to
// another (the driver to a service, a service to a peer, to PostgreSQL, to RabbitMQ).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowbench::network {

struct NetworkProfile {
  std::string name = "loopback";  // loopback | lan | zone | region | lossy | custom
  double one_way_delay_ms = 0;
  double jitter_ms = 0;  // each chunk's delay is drawn uniformly in delay +- jitter
  double loss = 0;       // probability that a chunk needs a retransmission (0..1)

  // loopback: no relay at all, the parts talk to each other directly (today's behaviour).
  bool Relayed() const { return name != "loopback"; }
  std::chrono::microseconds Delay() const;
  std::chrono::microseconds Jitter() const;
};

// The documented profiles, by name, in the order the help lists them.
std::vector<NetworkProfile> KnownProfiles();

// `--network NAME` with the `--network-delay-ms`, `--network-jitter-ms`, `--network-loss`
// overrides applied. Loopback with an override is a relayed link named "custom". Throws
// std::invalid_argument naming the flag to fix.
NetworkProfile ResolveProfile(std::string_view name, std::optional<double> delay_ms,
                              std::optional<double> jitter_ms, std::optional<double> loss);

}  // namespace flowbench::network
