// The round trip a link really has, measured from outside it: connect, close the sending
// side at once and wait for the far end's close to come back. Through a relay that is two
// round trips (the connection's set-up, then the close) plus the target's reaction to a
// client that leaves; the same probe straight at the target measures that reaction alone.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "bench/network/delay_relay.hpp"

namespace flowbench::network {

struct LinkRtt {
  std::string name;
  double rtt_ms = 0;     // median over the samples of (connect + close through the relay) / 2
  double direct_ms = 0;  // median of the same probe straight at the target (no relay)
  int samples = 0;
  int relay_port = 0;
};

// One probe: milliseconds from connect() until the far end closed. Throws when the host
// cannot be reached or does not close within `timeout`.
double ConnectCloseMs(const std::string& host, int port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// `samples` probes through the relay and as many straight at its target.
LinkRtt MeasureLink(const RelayLink& link, int samples = 3);

double Median(std::vector<double> values);

}  // namespace flowbench::network
