// The RabbitMQ topology of CONTRACT §4 as data: where each event is published and which
// queue each consumer reads. Every service declares all of it when it connects (idempotent:
// durable exchanges and queues, same arguments), so no start order can make a publish land
// in an exchange with no queue bound yet, and a broker restart finds it again.
#pragma once

#include <string>
#include <string_view>

#include "asynchronous/runtime/retry_policy.hpp"

namespace flowbench {
class AmqpConnection;
}

namespace flowbench::async::topology {

struct Destination {
  std::string_view exchange;  // "" is the default exchange: routing_key names the queue
  std::string_view routing_key;
};

// Fan-out exchanges.
inline constexpr std::string_view kProductUpdates = "product_updates";
inline constexpr std::string_view kPaymentFailed = "payment_failed";
inline constexpr std::string_view kPaymentSucceeded = "payment_succeeded";

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

// Declares every exchange, queue and binding above.
void DeclareContractTopology(AmqpConnection& connection);

// Declares a consumed queue's delay queues (one per retry) and its dead-letter queue.
void DeclareRetryQueues(AmqpConnection& connection, const std::string& queue,
                        const RetryPolicy& policy);

}  // namespace flowbench::async::topology
