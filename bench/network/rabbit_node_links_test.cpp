// The links between the nodes of a RabbitMQ cluster (real nodes: one three-node cluster for the
// whole program, ~15 s to boot on 2 cores), at a custom 5 ms ± 0.5 ms one way so that a link's
// delay stands out of loopback's ~0.1 ms: the cluster forms through the relays (the nodes'
// names point only at them), the nodes' own round trips and a quorum queue's confirms pay a
// link's round trip, and a node killed and started again rejoins through its link.
#include "bench/network/rabbit_node_links.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <thread>

#include "bench/run/broker_probe.hpp"
#include "common/infra/embedded_rabbitmq.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench::network {
namespace {

namespace fs = std::filesystem;

constexpr double kDelayMs = 5;
constexpr double kJitterMs = 0.5;
// The least a round trip across one link can take: each way at least delay - jitter.
constexpr double kLeastRoundTripMs = 2 * (kDelayMs - kJitterMs);

class RabbitNodeLinks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(flowbench::testing::MakeTempDir("flowbench-node-links"));
    links_ = new RabbitNodeLinkHost(ResolveProfile("loopback", kDelayMs, kJitterMs, 0));
    nodes_ = new std::vector<infra::RabbitInstance>(
        infra::StartRabbitCluster(*dir_ / "rabbitmq", 3, links_->Hook()));
  }
  static void TearDownTestSuite() {
    // The nodes before their links: a link that closes under a running node partitions it.
    // No nodes when the cluster failed to start (StartRabbitCluster stopped what it started).
    if (nodes_ != nullptr) {
      for (auto it = nodes_->rbegin(); it != nodes_->rend(); ++it) infra::StopRabbit(*it);
    }
    delete nodes_;
    delete links_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  // Milliseconds of each of `calls` Erlang RPCs from node `from` to node `to` (an RPC is one
  // round trip on the connection between them), measured inside node `from`.
  static std::vector<double> RpcRoundTripsMs(int from, int to, int calls = 10) {
    std::string target = (*nodes_)[static_cast<std::size_t>(to)].node;
    std::string output =
        infra::RabbitCtl((*nodes_)[static_cast<std::size_t>(from)],
                         {"eval", "[element(1, timer:tc(rpc, call, ['" + target +
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

  static std::vector<std::string> SortedNames() {
    std::vector<std::string> names;
    for (const infra::RabbitInstance& n : *nodes_) names.push_back(n.node);
    std::sort(names.begin(), names.end());
    return names;
  }

  static fs::path* dir_;
  static RabbitNodeLinkHost* links_;
  static std::vector<infra::RabbitInstance>* nodes_;
};

fs::path* RabbitNodeLinks::dir_ = nullptr;
RabbitNodeLinkHost* RabbitNodeLinks::links_ = nullptr;
std::vector<infra::RabbitInstance>* RabbitNodeLinks::nodes_ = nullptr;

TEST_F(RabbitNodeLinks, ClusterFormsThroughARelayInFrontOfEveryNode) {
  ASSERT_EQ(nodes_->size(), 3u);
  ASSERT_EQ(links_->Links().size(), 3u);
  for (std::size_t i = 0; i < nodes_->size(); ++i) {
    const infra::RabbitInstance& node = (*nodes_)[i];
    const RelayLink& link = links_->Links()[i];
    std::string n = std::to_string(i + 1);
    // Named after the relay's address, listening on another: a peer reaches it only through
    // the relay.
    EXPECT_EQ(infra::RabbitDistNameHost(node), "127.0.2." + n);
    EXPECT_EQ(node.dist_listen_host, "127.0.1." + n);
    EXPECT_EQ(link.name, "rabbitmq-node-" + n);
    EXPECT_EQ(link.listen_host, "127.0.2." + n);
    EXPECT_EQ(link.listen_port, node.dist_port);
    EXPECT_EQ(link.target_host, "127.0.1." + n);
    EXPECT_EQ(link.target_port, node.dist_port);
  }
  std::vector<std::string> running = infra::RabbitRunningNodes(nodes_->front());
  std::sort(running.begin(), running.end());
  EXPECT_EQ(running, SortedNames());
}

TEST_F(RabbitNodeLinks, NodesRoundTripsAndTheLinksMeasuredRoundTripMatchTheDelay) {
  for (int to : {1, 2}) {
    std::vector<double> rpc = RpcRoundTripsMs(0, to);
    ASSERT_EQ(rpc.size(), 10u);
    double least = *std::min_element(rpc.begin(), rpc.end());
    std::printf("[rpc node 1 -> node %d] least %.2f ms, median %.2f ms\n", to + 1, least,
                Median(rpc));
    EXPECT_GE(least, kLeastRoundTripMs);
  }
  std::vector<LinkRtt> measured = links_->Measure();
  ASSERT_EQ(measured.size(), 3u);
  for (const LinkRtt& link : measured) {
    SCOPED_TRACE(link.name);
    std::printf("[%s] rtt %.2f ms, direct %.2f ms\n", link.name.c_str(), link.rtt_ms,
                link.direct_ms);
    EXPECT_GE(link.rtt_ms, kLeastRoundTripMs);
    EXPECT_LT(link.rtt_ms, 2 * (kDelayMs + kJitterMs) + link.direct_ms / 2 + 5.0);
  }
}

TEST_F(RabbitNodeLinks, QuorumConfirmsPayALinksRoundTrip) {
  // The queue's leader is the node the client declared it on; it confirms once a follower
  // has the message too: one round trip on a node link.
  run::ConfirmLatency confirms = run::ProbeConfirmLatency(nodes_->front().url, "quorum", 50);
  std::printf("[quorum confirm] p50 %.2f ms, p99 %.2f ms over %d\n", confirms.p50_ms,
              confirms.p99_ms, confirms.messages);
  EXPECT_EQ(confirms.messages, 50);
  EXPECT_GE(confirms.p50_ms, kLeastRoundTripMs);
}

// Last: the restarted node's pid is this test's own to keep in nodes_ for the tear-down.
TEST_F(RabbitNodeLinks, ANodeKilledAndStartedAgainRejoinsThroughItsLink) {
  infra::RabbitInstance& node = (*nodes_)[1];
  infra::KillRabbitNode(node);
  node = infra::StartRabbitAgain(node);
  std::vector<std::string> running;
  for (int attempt = 0; attempt < 60 && running.size() != 3; ++attempt) {
    running = infra::RabbitRunningNodes(nodes_->front());
    if (running.size() != 3) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::sort(running.begin(), running.end());
  EXPECT_EQ(running, SortedNames());
  std::vector<double> rpc = RpcRoundTripsMs(0, 1);
  ASSERT_EQ(rpc.size(), 10u);
  EXPECT_GE(*std::min_element(rpc.begin(), rpc.end()), kLeastRoundTripMs);
  run::ConfirmLatency confirms = run::ProbeConfirmLatency(nodes_->front().url, "quorum", 20);
  EXPECT_EQ(confirms.messages, 20);
}

}  // namespace
}  // namespace flowbench::network
