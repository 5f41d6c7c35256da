// The one list of queue names (common/domain/topology.hpp, DeclaredQueues: what the driver
// purges between runs) against what the async runtime really declares: every queue, every
// delay queue and every dead-letter queue, for the default and for other retry settings.
#include "asynchronous/runtime/topology.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace flowbench::async {
namespace {

using std::chrono::milliseconds;

// What the runtime declares when every consumed queue has its consumer: the contract
// topology once, and each consumer's retry queues (consumer.cpp, at each connect).
std::set<std::string> RuntimeDeclares(const RetryPolicy& policy) {
  std::set<std::string> names;
  for (const QueueDeclaration& q : ContractQueueDeclarations()) {
    names.insert(q.name);
    for (const QueueDeclaration& r : RetryQueueDeclarations(q.name, policy)) names.insert(r.name);
  }
  return names;
}

TEST(DeclaredQueues, CoverEveryQueueTheAsyncTopologyDeclares) {
  for (auto [attempts, base] : {std::pair{3, milliseconds(1000)}, std::pair{2, milliseconds(50)},
                                std::pair{0, milliseconds(10)}}) {
    std::vector<std::string> listed = topology::DeclaredQueues({attempts, base});
    std::set<std::string> unique(listed.begin(), listed.end());
    EXPECT_EQ(unique.size(), listed.size()) << "a queue listed twice";
    EXPECT_EQ(unique, RuntimeDeclares(RetryPolicy(attempts, base))) << attempts << " retries";
  }
}

TEST(DeclaredQueues, WithTheDefaultsHaveFiveQueuesPerConsumedQueue) {
  std::vector<std::string> listed = topology::DeclaredQueues({});
  EXPECT_EQ(listed.size(), 13u * 5u);
  for (std::string_view name : {"user_registered_queue", "user_registered_queue.retry.1000ms",
                                "user_registered_queue.retry.4000ms", "click_tracked_queue.dlq"}) {
    EXPECT_NE(std::find(listed.begin(), listed.end(), name), listed.end()) << name;
  }
}

TEST(ScenarioOfQueue, NamesTheScenarioOfEveryConsumedQueue) {
  for (const topology::QueueBinding& q : topology::kQueues) {
    EXPECT_FALSE(topology::ScenarioOfQueue(q.queue).empty()) << q.queue;
  }
  EXPECT_EQ(topology::ScenarioOfQueue(topology::kStockReservedQueue), "scenario5");
  EXPECT_EQ(topology::ScenarioOfQueue(topology::kClickTrackedQueue), "scenario6");
  EXPECT_EQ(topology::ScenarioOfQueue("no_such_queue"), "");
}

}  // namespace
}  // namespace flowbench::async
