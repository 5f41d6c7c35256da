#include "bench/network/rabbit_node_links.hpp"

#include <stdexcept>
#include <string>

#include "bench/network/relayed_parts.hpp"

namespace flowbench::network {

std::vector<RelayLink> PlannedNodeLinks(const std::vector<infra::RabbitInstance>& nodes) {
  std::vector<RelayLink> links;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const infra::RabbitInstance& node = nodes[i];
    if (node.dist_listen_host.empty()) {
      throw std::invalid_argument("RabbitMQ node " + node.node +
                                  " has no node links: it listens on every address");
    }
    // The relay takes the node's own port on its name's address: epmd tells the dialling
    // node that port, and it dials the address its peer is named after.
    links.push_back(RelayLink{"rabbitmq-node-" + std::to_string(i + 1), node.dist_listen_host,
                              node.dist_port, infra::RabbitDistNameHost(node), node.dist_port});
  }
  return links;
}

void AddRabbitNodeLinks(RelayHost& relays, const std::vector<infra::RabbitInstance>& nodes) {
  for (const RelayLink& l : PlannedNodeLinks(nodes)) {
    relays.Add(l.name, l.target_host, l.target_port, l.listen_host, l.listen_port);
  }
}

RabbitNodeLinkHost::RabbitNodeLinkHost(const NetworkProfile& profile, std::uint64_t seed)
    : relays_(ShapeOf(profile), seed) {}

infra::RabbitNodeLinks RabbitNodeLinkHost::Hook() {
  return [this](const std::vector<infra::RabbitInstance>& nodes) {
    AddRabbitNodeLinks(relays_, nodes);
  };
}

std::vector<LinkRtt> RabbitNodeLinkHost::Measure(int samples) const {
  std::vector<LinkRtt> measured;
  for (const RelayLink& link : relays_.Links()) measured.push_back(MeasureLink(link, samples));
  return measured;
}

}  // namespace flowbench::network
