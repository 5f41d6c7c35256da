// The async runtime on a three-node RabbitMQ cluster (real nodes, one cluster for the whole
// program: it takes ~12 s to boot on 2 cores): the cluster forms, the build's queues are quorum
// queues, and when the node a publisher and a consumer are connected to dies (SIGKILL; it is
// also the leader of their queue) no confirmed message is lost, and both carry on through a
// surviving node. The node is not started again: the kill test runs last.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "asynchronous/runtime/consumer.hpp"
#include "asynchronous/runtime/publisher.hpp"
#include "asynchronous/runtime/topology.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/events.hpp"
#include "common/infra/embedded_rabbitmq.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/telemetry/completion_log.hpp"
#include "common/telemetry/metrics.hpp"

namespace flowbench::async {
namespace {

using flowbench::testing::EmbeddedInfra;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

[[maybe_unused]] auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra(3);

std::vector<infra::RabbitInstance> Nodes() {
  std::vector<infra::RabbitInstance> nodes{*EmbeddedInfra::State().rabbitmq};
  for (const infra::RabbitInstance& peer : EmbeddedInfra::State().rabbitmq_peers) {
    nodes.push_back(peer);
  }
  return nodes;
}

// name -> type, as the cluster lists its queues.
std::map<std::string, std::string> QueueTypes() {
  boost::json::value listed = boost::json::parse(
      infra::RabbitCtl(Nodes()[0], {"list_queues", "name", "type", "--formatter", "json"}));
  std::map<std::string, std::string> types;
  for (const boost::json::value& q : listed.as_array()) {
    types[std::string(q.at("name").as_string())] = std::string(q.at("type").as_string());
  }
  return types;
}

TEST(RabbitCluster, FormsWithEveryNodeRunningAndTheServicesGetEveryNodesUrl) {
  std::vector<infra::RabbitInstance> nodes = Nodes();
  ASSERT_EQ(nodes.size(), 3u);
  std::vector<std::string> running = infra::RabbitRunningNodes(nodes[0]);
  std::sort(running.begin(), running.end());
  std::vector<std::string> names;
  for (const infra::RabbitInstance& n : nodes) names.push_back(n.node);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(running, names);
  EXPECT_EQ(SplitAmqpUrls(EmbeddedInfra::State().amqp_url),
            (std::vector<std::string>{nodes[0].url, nodes[1].url, nodes[2].url}));

  std::vector<infra::ComponentStatus> status = infra::InfraStatus(EmbeddedInfra::StateDir());
  ASSERT_EQ(status.size(), 4u);  // PostgreSQL and each node
  for (const infra::ComponentStatus& c : status) EXPECT_TRUE(c.healthy) << c.name << c.detail;
  EXPECT_EQ(status[3].name, "rabbitmq-3");
}

TEST(RabbitCluster, TheBuildDeclaresQuorumWorkRetryAndDeadLetterQueues) {
  AsyncRuntimeSettings settings;
  ResolveQueueType(settings, EmbeddedInfra::State().amqp_url);
  ASSERT_EQ(settings.queue_type, "quorum");

  AmqpConnection connection(EmbeddedInfra::State().amqp_url, seconds(5), "cluster-test");
  DeclareContractTopology(connection, settings.queue_type);
  RetryPolicy policy(settings.retry_attempts, settings.retry_base_delay);
  for (const QueueDeclaration& q : ContractQueueDeclarations()) {
    DeclareRetryQueues(connection, q.name, policy, settings.queue_type);
  }
  std::map<std::string, std::string> types = QueueTypes();
  for (const std::string& name : topology::DeclaredQueues(
           {settings.retry_attempts, std::chrono::milliseconds(settings.retry_base_delay)})) {
    ASSERT_TRUE(types.contains(name)) << name << " was not declared";
    EXPECT_EQ(types[name], "quorum") << name;
  }
}

// Everything the test saw, written on the event loop's thread.
struct Ledger {
  std::mutex mutex;
  std::set<std::string> confirmed;
  std::set<std::string> received;
  std::size_t settled = 0;              // publishes answered, confirmed or not
  std::map<std::string, int> refusals;  // why publishes were not confirmed, and how often

  std::size_t Count(const std::set<std::string>& ids) {
    std::lock_guard lock(mutex);
    return ids.size();
  }
};

TEST(RabbitCluster, KillingTheNodeOfAPublisherAndAConsumerLosesNoConfirmedMessage) {
  constexpr char kQueue[] = "cluster_failover_test";
  std::vector<infra::RabbitInstance> nodes = Nodes();
  const infra::RabbitInstance& victim = nodes[1];
  // Declared through the victim: a quorum queue's leader is on the declaring client's node.
  QueueOptions quorum;
  quorum.queue_type = "quorum";
  AmqpConnection(victim.url, seconds(5), "cluster-test").DeclareQueue(kQueue, quorum);
  // The victim first: publisher and consumer connect to it, and must move on to the others.
  std::string urls = victim.url + "," + nodes[2].url + "," + nodes[0].url;

  AsyncRuntimeSettings settings;
  settings.queue_type = "quorum";
  settings.confirm_timeout = seconds(15);
  net::io_context io;
  auto work = net::make_work_guard(io);
  std::thread loop([&io] { io.run(); });
  Metrics metrics("async", "cluster-test");
  CompletionLog completions;
  Ledger ledger;
  // Stops the loop last, also when an assertion returns early (declared first: destroyed last).
  struct LoopStopper {
    net::io_context& io;
    net::executor_work_guard<net::io_context::executor_type>& work;
    std::thread& loop;
    ~LoopStopper() {
      work.reset();
      io.stop();
      loop.join();
    }
  } stopper{io, work, loop};
  Publisher publisher(io, urls, "cluster-test-publisher", settings, metrics);
  Consumer consumer(io, urls, "cluster-test-consumer",
                    ConsumerSpec{kQueue, 50,
                                 [&ledger](const IncomingMessage& m) -> Task<Outcome> {
                                   std::lock_guard lock(ledger.mutex);
                                   ledger.received.insert(m.envelope.message_id);
                                   co_return Outcome::kDone;
                                 }},
                    settings, publisher, metrics, completions);
  struct ConsumerStopper {
    Consumer& consumer;
    ~ConsumerStopper() {
      consumer.RequestStop();
      consumer.HandBackUnacked();
      consumer.Join();
    }
  } consumer_stopper{consumer};
  publisher.Start();
  consumer.Start();
  auto deadline = Clock::now() + seconds(20);
  while (!(publisher.Connected() && consumer.Connected()) && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(publisher.Connected() && consumer.Connected());

  // Publishes `count` messages at once and waits until each is confirmed or refused.
  int next_id = 0;
  auto publish_round = [&](int count) {
    std::size_t target;
    {
      std::lock_guard lock(ledger.mutex);
      target = ledger.settled + static_cast<std::size_t>(count);
    }
    for (int i = 0; i < count; ++i) {
      std::string id = "m" + std::to_string(next_id++);
      Envelope envelope{id,
                        "cluster_test",
                        std::chrono::system_clock::now(),
                        "0af7651916cd43dd8448eb211c80319c",
                        {}};
      OutgoingMessage message{"", kQueue, EncodeEnvelope(envelope), id, {}, {}};
      net::co_spawn(
          io,
          [&publisher, message = std::move(message)]() mutable -> Task<void> {
            co_await publisher.Publish(std::move(message), /*wait_for_confirm=*/true);
          },
          [&ledger, id](const std::exception_ptr& error) {
            std::lock_guard lock(ledger.mutex);
            ++ledger.settled;
            if (!error) {
              ledger.confirmed.insert(id);
              return;
            }
            try {
              std::rethrow_exception(error);
            } catch (const std::exception& e) {
              ++ledger.refusals[e.what()];
            }
          });
    }
    while (true) {
      {
        std::lock_guard lock(ledger.mutex);
        if (ledger.settled >= target) return;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  };

  for (int round = 0; round < 10; ++round) publish_round(50);
  std::size_t confirmed_before_kill = ledger.Count(ledger.confirmed);
  ASSERT_EQ(confirmed_before_kill, 500u);

  auto killed_at = Clock::now();
  infra::KillRabbitNode(victim);
  // Publishing goes on through the failover: refused publishes (503s while reconnecting and
  // while the queue elects a new leader) are simply not confirmed.
  deadline = Clock::now() + seconds(60);
  while (ledger.Count(ledger.confirmed) < confirmed_before_kill + 500 && Clock::now() < deadline) {
    publish_round(50);
  }
  double failover_s = std::chrono::duration<double>(Clock::now() - killed_at).count();
  std::string refusals;
  for (const auto& [why, times] : ledger.refusals) {
    refusals += "\n  " + std::to_string(times) + "x " + why;
  }
  ASSERT_GE(ledger.Count(ledger.confirmed), confirmed_before_kill + 500)
      << "publishing did not resume on a surviving node within 60 s; refusals:" << refusals;

  // Every confirmed message reaches the consumer, which is now on another node.
  deadline = Clock::now() + seconds(60);
  std::vector<std::string> missing;
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(ledger.mutex);
      missing.clear();
      std::set_difference(ledger.confirmed.begin(), ledger.confirmed.end(), ledger.received.begin(),
                          ledger.received.end(), std::back_inserter(missing));
    }
    if (missing.empty()) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " confirmed messages never arrived, e.g. "
                               << missing.front();
  EXPECT_TRUE(consumer.Connected());
  std::printf(
      "failover: %zu of %d publishes confirmed, %zu received; 500 more confirmed %.1f s "
      "after the kill; refusals:%s\n",
      ledger.Count(ledger.confirmed), next_id, ledger.Count(ledger.received), failover_s,
      refusals.c_str());
}

}  // namespace
}  // namespace flowbench::async
