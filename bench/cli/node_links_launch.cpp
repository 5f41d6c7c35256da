#include "bench/cli/node_links_launch.hpp"

#include <cstdio>
#include <memory>

#include "bench/network/detached_relays.hpp"
#include "bench/network/rabbit_node_links.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::cli {

std::string ProfileText(const network::NetworkProfile& p) {
  char text[160];
  std::snprintf(text, sizeof text, "%s (%.3g ms one way, jitter %.3g ms, loss %.3g %%)",
                p.name.c_str(), p.one_way_delay_ms, p.jitter_ms, p.loss * 100);
  return text;
}

infra::RabbitNodeLinks DetachedNodeLinksHook(const infra::InfraOptions& options,
                                             const network::NetworkProfile& profile) {
  if (!profile.Relayed() || options.rabbitmq_nodes < 2 || !options.amqp_url.empty()) return {};
  std::filesystem::path state_dir = options.state_dir;
  return [state_dir, profile](const std::vector<infra::RabbitInstance>& nodes) {
    network::DetachedNodeLinksRequest request{state_dir, profile, network::PlannedNodeLinks(nodes)};
    std::filesystem::path run_dir = state_dir / "run";
    std::filesystem::create_directories(run_dir);
    network::StartDetachedNodeLinks(ExecutableDir() / "flowbench", request,
                                    run_dir / "relays-rabbitmq-nodes.log");
  };
}

infra::UpResult InfraUpWithNodeLinks(infra::InfraOptions options,
                                     const network::NetworkProfile& profile) {
  auto started = std::make_shared<bool>(false);
  if (infra::RabbitNodeLinks hook = DetachedNodeLinksHook(options, profile)) {
    options.rabbitmq_node_links = [hook, started](const std::vector<infra::RabbitInstance>& n) {
      *started = true;
      hook(n);
    };
  }
  infra::UpResult result;
  try {
    result = infra::InfraUp(options);
  } catch (...) {
    // A cluster that failed to start is stopped by now: the links' relay process it got goes
    // after it. (One that failed to start again keeps the links it had.)
    if (*started) network::StopDetachedNodeLinks(options.state_dir);
    throw;
  }
  const std::optional<infra::RabbitInstance>& node1 = result.state.rabbitmq;
  bool linked = node1 && !node1->dist_listen_host.empty();
  if (!linked) {
    network::StopDetachedNodeLinks(options.state_dir);  // a stopped cluster's leftover
  }
  if (result.reused && profile.Relayed() && !result.state.rabbitmq_peers.empty()) {
    std::optional<network::DetachedNodeLinks> links =
        network::LoadDetachedNodeLinks(options.state_dir);
    if (!linked || !links) {
      std::fprintf(stderr,
                   "flowbench: note: the RabbitMQ cluster already running in %s was started "
                   "without --network: its nodes talk to each other undelayed (`flowbench infra "
                   "down` first)\n",
                   options.state_dir.c_str());
    } else if (links->profile.name != profile.name ||
               links->profile.one_way_delay_ms != profile.one_way_delay_ms) {
      std::fprintf(stderr,
                   "flowbench: note: the RabbitMQ cluster already running in %s keeps its node "
                   "links' network %s (`flowbench infra down` first to change it)\n",
                   options.state_dir.c_str(), ProfileText(links->profile).c_str());
    }
  }
  return result;
}

void StopNodeLinks(const std::filesystem::path& state_dir) {
  switch (network::StopDetachedNodeLinks(state_dir)) {
    case network::RelayStop::kStopped:
      std::printf("RabbitMQ node links stopped\n");
      break;
    case network::RelayStop::kStaleRemoved:
      std::printf("RabbitMQ node links: stale state file removed (its process was gone)\n");
      break;
    case network::RelayStop::kNone:
      break;
  }
}

bool PrintNodeLinksStatus(const std::filesystem::path& state_dir) {
  std::optional<network::DetachedNodeLinks> links = network::LoadDetachedNodeLinks(state_dir);
  if (!links) return true;
  bool running = network::IsRunning(*links, state_dir);
  std::printf("%-11s %-9s %s, relay process %d\n", "node-links", running ? "relaying" : "DOWN",
              ProfileText(links->profile).c_str(), links->pid);
  for (const network::RelayLink& l : links->links) {
    std::printf("            %s %s:%d -> %s:%d\n", l.name.c_str(), l.listen_host.c_str(),
                l.listen_port, l.target_host.c_str(), l.target_port);
  }
  return running;
}

}  // namespace flowbench::cli
