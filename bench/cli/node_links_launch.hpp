// `--network` on a command whose RabbitMQ cluster outlives it (`infra up`, `up`): the links
// between its nodes live in a relay process of their own (`flowbench relay --node-links`,
// bench/network/detached_relays.hpp), started by the cluster's start before any node and
// stopped after the nodes by `infra down` and `down`.
#pragma once

#include <filesystem>
#include <string>

#include "bench/network/network_profile.hpp"
#include "common/infra/infra.hpp"

namespace flowbench::cli {

// "lan (0.25 ms one way, jitter 0.05 ms, loss 0 %)".
std::string ProfileText(const network::NetworkProfile& profile);

// InfraOptions::rabbitmq_node_links for `profile`: it starts the detached relay process with
// the planned nodes' links and waits until they listen. Empty (no links) without a relayed
// profile or with fewer than two nodes asked for.
infra::RabbitNodeLinks DetachedNodeLinksHook(const infra::InfraOptions& options,
                                             const network::NetworkProfile& profile);

// InfraUp with `profile`'s node links: a relay process it started for a cluster that then
// failed is stopped; one left by a cluster without links now is stopped too. Prints a note
// when a cluster reused as it runs has no node links, or links of another profile.
infra::UpResult InfraUpWithNodeLinks(infra::InfraOptions options,
                                     const network::NetworkProfile& profile);

// After the nodes are stopped (a node link that closes while the cluster runs is a
// partition): stops the node links' relay process, saying so.
void StopNodeLinks(const std::filesystem::path& state_dir);

// `status`: the node links' profile and relay process, one line; false when it is DOWN.
bool PrintNodeLinksStatus(const std::filesystem::path& state_dir);

}  // namespace flowbench::cli
