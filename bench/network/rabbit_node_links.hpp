// The links between the nodes of a RabbitMQ cluster under `--network` (NETWORK.md, "Between
// RabbitMQ nodes"). A node's peers find it through epmd, which tells them the port the node
// listens on, and dial that port at the address in the node's name: so each node of such a
// cluster is named after one loopback address (127.0.2.N) and listens on another (127.0.1.N),
// on the same fixed port, and a relay on 127.0.2.N:port forwards to 127.0.1.N:port
// (infra::StartRabbitCluster with infra::RabbitNodeLinks). rabbitmqctl crosses it too.
#pragma once

#include <cstdint>
#include <vector>

#include "bench/network/delay_relay.hpp"
#include "bench/network/link_probe.hpp"
#include "bench/network/network_profile.hpp"
#include "common/infra/embedded_rabbitmq.hpp"

namespace flowbench::network {

// One link per node, "rabbitmq-node-N", in front of its distribution listener. Two nodes
// share one connection, opened by whichever dials first, so it crosses one of the two links:
// the pair's every round trip is delayed once each way. Throws std::invalid_argument for a
// node planned without node links (no dist_listen_host), std::runtime_error when a relay's
// address and port cannot be opened.
void AddRabbitNodeLinks(RelayHost& relays, const std::vector<infra::RabbitInstance>& nodes);
// The same links, planned (each with the address and port it listens on), not opened: what
// `infra up --network` asks its detached relay process to open (detached_relays.hpp).
std::vector<RelayLink> PlannedNodeLinks(const std::vector<infra::RabbitInstance>& nodes);

// The node links of a cluster that one command starts, living as long as this object (which
// must outlive the cluster: a node link that closes is a network partition). Hook() goes into
// infra::InfraOptions::rabbitmq_node_links; a broker reused as it runs never calls it, and
// then there are no links.
class RabbitNodeLinkHost {
 public:
  explicit RabbitNodeLinkHost(const NetworkProfile& profile, std::uint64_t seed = 1);

  infra::RabbitNodeLinks Hook();
  const std::vector<RelayLink>& Links() const { return relays_.Links(); }
  // Every node link's round trip (MeasureLink), node 1 first.
  std::vector<LinkRtt> Measure(int samples = 3) const;

 private:
  RelayHost relays_;
};

}  // namespace flowbench::network
