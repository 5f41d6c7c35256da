// The RabbitMQ topology of CONTRACT.md §4 as data, the one list of it: the exchanges, where each
// event is published, which queue each consumer reads, and how a consumed queue's retry and
// dead-letter queues are named. The async build declares it (asynchronous/runtime/
// topology.hpp); its tests, the driver's queue-depth sampler and its reset between runs read
// the names from here.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/scenario_ids.hpp"

namespace flowbench::topology {

// The async build's defaults for what one connection has in flight (CONTRACT §4.4 and §4.1):
// here so that the driver's raw-broker probe (bench/limits) measures the broker with the same
// window and prefetch without linking the build.
inline constexpr int kDefaultPrefetch = 50;
inline constexpr int kDefaultConfirmWindow = 100;

struct Destination {
  std::string_view exchange;  // "" is the default exchange: routing_key names the queue
  std::string_view routing_key;
};

// Fan-out exchanges.
inline constexpr std::string_view kProductUpdates = "product_updates";
inline constexpr std::string_view kPaymentFailed = "payment_failed";
inline constexpr std::string_view kPaymentSucceeded = "payment_succeeded";
inline constexpr std::string_view kFanOutExchanges[] = {kProductUpdates, kPaymentFailed,
                                                        kPaymentSucceeded};

// Queues, per scenario.
inline constexpr std::string_view kUserRegisteredQueue = "user_registered_queue";               // 1
inline constexpr std::string_view kPaymentInitiatedQueue = "payment_initiated_queue";           // 2
inline constexpr std::string_view kPaymentCompletedQueue = "payment_completed_queue";           // 2
inline constexpr std::string_view kSearchProductUpdatesQueue = "search_product_updates_queue";  // 3
inline constexpr std::string_view kCacheProductUpdatesQueue = "cache_product_updates_queue";    // 3
inline constexpr std::string_view kAnalyticsProductUpdatesQueue =
    "analytics_product_updates_queue";                                           // 3
inline constexpr std::string_view kReportJobsQueue = "report_jobs_queue";        // 4
inline constexpr std::string_view kOrderCreatedQueue = "order_created_queue";    // 5
inline constexpr std::string_view kStockReservedQueue = "stock_reserved_queue";  // 5
inline constexpr std::string_view kInventoryPaymentFailedQueue =
    "inventory_payment_failed_queue";                                                       // 5
inline constexpr std::string_view kOrderPaymentFailedQueue = "order_payment_failed_queue";  // 5
inline constexpr std::string_view kOrderPaymentSucceededQueue =
    "order_payment_succeeded_queue";                                           // 5
inline constexpr std::string_view kClickTrackedQueue = "click_tracked_queue";  // 6

// Every consumed queue, with the fan-out exchange it is bound to ("": only the default one)
// and the scenario whose work its messages are (a dead-lettered message ends that work).
struct QueueBinding {
  std::string_view queue;
  std::string_view exchange;
  std::string_view scenario;
};
inline constexpr QueueBinding kQueues[] = {
    {kUserRegisteredQueue, "", scenario::kEmailOnRegistration},
    {kPaymentInitiatedQueue, "", scenario::kBackgroundPayment},
    {kPaymentCompletedQueue, "", scenario::kBackgroundPayment},
    {kSearchProductUpdatesQueue, kProductUpdates, scenario::kProductFanOut},
    {kCacheProductUpdatesQueue, kProductUpdates, scenario::kProductFanOut},
    {kAnalyticsProductUpdatesQueue, kProductUpdates, scenario::kProductFanOut},
    {kReportJobsQueue, "", scenario::kReportJob},
    {kOrderCreatedQueue, "", scenario::kOrderSaga},
    {kStockReservedQueue, "", scenario::kOrderSaga},
    {kInventoryPaymentFailedQueue, kPaymentFailed, scenario::kOrderSaga},
    {kOrderPaymentFailedQueue, kPaymentFailed, scenario::kOrderSaga},
    {kOrderPaymentSucceededQueue, kPaymentSucceeded, scenario::kOrderSaga},
    {kClickTrackedQueue, "", scenario::kClickBuffering},
};

// The scenario of a consumed queue's messages; "" for a queue not in kQueues.
constexpr std::string_view ScenarioOfQueue(std::string_view queue) {
  for (const QueueBinding& binding : kQueues) {
    if (binding.queue == queue) return binding.scenario;
  }
  return {};
}

// Where each event goes.
inline constexpr Destination kUserRegistered{"", kUserRegisteredQueue};
inline constexpr Destination kPaymentInitiated{"", kPaymentInitiatedQueue};
inline constexpr Destination kPaymentCompleted{"", kPaymentCompletedQueue};
inline constexpr Destination kProductUpdated{kProductUpdates, ""};
inline constexpr Destination kReportRequested{"", kReportJobsQueue};
inline constexpr Destination kOrderCreated{"", kOrderCreatedQueue};
inline constexpr Destination kStockReserved{"", kStockReservedQueue};
inline constexpr Destination kPaymentFailedEvent{kPaymentFailed, ""};
inline constexpr Destination kPaymentSucceededEvent{kPaymentSucceeded, ""};
inline constexpr Destination kClickTracked{"", kClickTrackedQueue};

// Where a message goes after its last failed attempt: "<queue>.dlq".
inline std::string DeadLetterQueue(std::string_view queue) { return std::string(queue) + ".dlq"; }
inline bool IsDeadLetterQueue(std::string_view queue) { return queue.ends_with(".dlq"); }
// The delay queue of one retry: "<queue>.retry.<ms>ms" (the delay is in the name, so
// services started with different settings never clash over a queue's arguments).
inline std::string DelayQueue(std::string_view queue, std::chrono::milliseconds delay) {
  return std::string(queue) + ".retry." + std::to_string(delay.count()) + "ms";
}

// The retry schedule the consumers run with (the async flags --retry-attempts and
// --retry-base-delay-ms): retry n waits base * 2^(n-1).
struct RetrySchedule {
  int attempts = 3;
  std::chrono::milliseconds base_delay{1000};

  std::chrono::milliseconds DelayOf(int retry) const {
    int doublings = std::clamp(retry - 1, 0, 30);
    return base_delay * (std::int64_t{1} << doublings);
  }
};

// Every queue the async build declares with consumers running on `retry`: each consumed
// queue, its delay queues (one per retry) and its dead-letter queue. The driver purges
// exactly these between runs; a test checks the list against what asynchronous/runtime/
// topology.cpp declares.
inline std::vector<std::string> DeclaredQueues(const RetrySchedule& retry) {
  std::vector<std::string> queues;
  for (const QueueBinding& binding : kQueues) {
    queues.emplace_back(binding.queue);
    for (int n = 1; n <= retry.attempts; ++n) {
      queues.push_back(DelayQueue(binding.queue, retry.DelayOf(n)));
    }
    queues.push_back(DeadLetterQueue(binding.queue));
  }
  return queues;
}

}  // namespace flowbench::topology
