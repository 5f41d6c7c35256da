// `flowbench infra up --rabbitmq-nodes 3 --network P` as a user runs it: the cluster forms
// through its node links, which live on in a relay process of their own once `infra up` has
// returned (at a custom 5 ms +- 0.5 ms one way, so that a link stands out of loopback);
// `infra status` shows that process and the profile; `infra down` stops the nodes, then it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "bench/cli/cli_testing.hpp"
#include "bench/network/detached_relays.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr double kDelayMs = 5;
constexpr double kJitterMs = 0.5;
// The least a round trip across one link can take: each way at least delay - jitter.
constexpr double kLeastRoundTripMs = 2 * (kDelayMs - kJitterMs);

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Milliseconds of each of `calls` Erlang RPCs from node `from` to node `to` (one round trip on
// the connection between them, which crosses one node link), measured inside node `from`.
std::vector<double> RpcRoundTripsMs(const infra::RabbitInstance& from,
                                    const infra::RabbitInstance& to, int calls = 10) {
  std::string output =
      infra::RabbitCtl(from, {"eval", "[element(1, timer:tc(rpc, call, ['" + to.node +
                                          "', erlang, node, []])) || _ <- lists:seq(1, " +
                                          std::to_string(calls) + ")]."});
  std::vector<double> ms;
  std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), number);
       it != std::sregex_iterator(); ++it) {
    ms.push_back(std::stod(it->str()) / 1000.0);  // timer:tc gives microseconds
  }
  return ms;
}

TEST(InfraNetwork, InfraUpDelaysTheClustersNodeLinksInARelayProcessThatInfraDownStops) {
  fs::path dir = flowbench::testing::MakeTempDir("flowbench-infra-network");
  std::string state = dir.string();
  infra::CommandResult up =
      testing::Flowbench({"infra", "up", "--rabbitmq-nodes", "3", "--network", "lan",
                          "--network-delay-ms", std::to_string(kDelayMs), "--network-jitter-ms",
                          std::to_string(kJitterMs), "--state-dir", state},
                         180s);
  ASSERT_EQ(up.exit_code, 0) << up.output;

  // `infra up` has returned: the node links live on in their own process.
  std::optional<network::DetachedNodeLinks> links = network::LoadDetachedNodeLinks(dir);
  ASSERT_TRUE(links.has_value()) << up.output;
  EXPECT_TRUE(network::IsRunning(*links, dir));
  EXPECT_EQ(links->profile.one_way_delay_ms, kDelayMs);
  std::optional<infra::InfraState> infra_state = infra::LoadInfraState(dir);
  ASSERT_TRUE(infra_state.has_value());
  ASSERT_TRUE(infra_state->rabbitmq.has_value());
  std::vector<infra::RabbitInstance> nodes{*infra_state->rabbitmq};
  nodes.insert(nodes.end(), infra_state->rabbitmq_peers.begin(), infra_state->rabbitmq_peers.end());
  ASSERT_EQ(nodes.size(), 3u);
  ASSERT_EQ(links->links.size(), 3u);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    // Each node named after its link's address, its link in front of its own.
    EXPECT_EQ(infra::RabbitDistNameHost(nodes[i]), links->links[i].listen_host);
    EXPECT_EQ(nodes[i].dist_listen_host, links->links[i].target_host);
    EXPECT_EQ(nodes[i].dist_port, links->links[i].listen_port);
  }

  // The cluster formed through the links, and a node's round trip to another pays one.
  EXPECT_EQ(infra::RabbitRunningNodes(nodes.front()).size(), 3u);
  for (std::size_t to : {1u, 2u}) {
    std::vector<double> rpc = RpcRoundTripsMs(nodes.front(), nodes[to]);
    ASSERT_EQ(rpc.size(), 10u);
    double least = *std::min_element(rpc.begin(), rpc.end());
    std::printf("[rpc node 1 -> node %zu] least %.2f ms\n", to + 1, least);
    EXPECT_GE(least, kLeastRoundTripMs);
  }

  infra::CommandResult status = testing::Flowbench({"infra", "status", "--state-dir", state}, 60s);
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(Contains(status.output, "relaying")) << status.output;
  EXPECT_TRUE(Contains(status.output, "lan (5 ms one way, jitter 0.5 ms")) << status.output;
  EXPECT_TRUE(Contains(status.output, "relay process " + std::to_string(links->pid)))
      << status.output;

  infra::CommandResult down = testing::Flowbench({"infra", "down", "--state-dir", state}, 120s);
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(Contains(down.output, "RabbitMQ node links stopped")) << down.output;
  EXPECT_TRUE(infra::WaitForExit(links->pid, 5s));
  EXPECT_FALSE(fs::exists(network::NodeLinksStateFile(dir)));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowbench::cli
