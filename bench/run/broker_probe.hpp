// How long the broker takes to confirm a persistent publish, measured by `flowbench run`
// before the load: the part of an async request's answer latency that is the broker's own
// (on a quorum queue of a cluster, a confirm waits for a majority of the nodes).
#pragma once

#include <cstdint>
#include <string>

#include "bench/network/network_profile.hpp"
#include "bench/report/results.hpp"

namespace flowbench::run {

struct ConfirmLatency {
  double p50_ms = 0;
  double p99_ms = 0;
  int messages = 0;
};

// Publishes `messages` persistent messages one at a time, each waiting for its confirm, to a
// scratch queue of `queue_type` ("classic" | "quorum"; flowbench.probe.confirm.TYPE, purged
// before and after) on the broker at `amqp_urls` (a cluster's list: the first node that takes
// a login), and times each publish-to-confirm. Throws when the broker does not confirm (a
// nack, or none within 10 s).
ConfirmLatency ProbeConfirmLatency(const std::string& amqp_urls, const std::string& queue_type,
                                   int messages = 200);

// The same probe through a link shaped like `profile` in front of the broker's first node (the
// node a service connects to first), as a service's connection crosses it under --network:
// what a service pays for a confirm, the broker's own part plus the link's round trip.
ConfirmLatency ProbeConfirmLatencyThroughLink(const network::NetworkProfile& profile,
                                              const std::string& amqp_urls,
                                              const std::string& queue_type, std::uint64_t seed = 1,
                                              int messages = 200);

// `broker`'s confirm figures, probed before any load on a queue of its queue_type: on loopback
// confirm_ms_* is the broker's own; with a network (`--network`), confirm_ms_* is what a
// service pays through its link, and own_confirm_ms_* the broker's own (straight to it).
void ProbeBrokerConfirms(report::Broker& broker, const std::string& amqp_urls,
                         const network::NetworkProfile& network, std::uint64_t seed = 1);

// The queue type the async services use with `--queue-type requested` ("" or "auto": quorum on
// a cluster, else classic; asynchronous/runtime/settings.cpp).
std::string QueueTypeInForce(const std::string& requested, int broker_nodes);

}  // namespace flowbench::run
