// The names both builds give the steps of the scenarios: scenario 3's three fan-out parts,
// the parts that must all finish before a scenario completes (the async fan-ins), and the
// keys under which an idempotent step records that it ran (processed_messages.consumer).
// Spelt once, so the builds, the tests and the demo cannot drift apart.
#pragma once

#include <array>
#include <chrono>
#include <string_view>

#include "common/domain/workload_settings.hpp"

namespace flowbench {

// One service told about a product update (scenario 3): a waiting step of its own.
struct FanOutPart {
  std::string_view name;                               // "search": the service and its part
  std::string_view work;                               // "search reindex": narrated
  std::string_view sync_path;                          // "/reindex": its route in the sync build
  std::string_view reply_key;                          // "reindexed": {"reindexed": <product id>}
  std::chrono::milliseconds WorkloadSettings::*delay;  // how long the work waits
};

inline constexpr FanOutPart kSearchPart{"search", "search reindex", "/reindex", "reindexed",
                                        &WorkloadSettings::search_reindex_delay};
inline constexpr FanOutPart kCachePart{"cache", "cache invalidation", "/invalidate", "invalidated",
                                       &WorkloadSettings::cache_invalidation_delay};
inline constexpr FanOutPart kAnalyticsPart{"analytics", "analytics log of the update",
                                           "/log_update", "logged",
                                           &WorkloadSettings::analytics_log_delay};

// Fan-ins: the scenario completes when the last of these parts is done.
inline constexpr std::array<std::string_view, 3> kProductUpdateParts{
    kSearchPart.name, kCachePart.name, kAnalyticsPart.name};
inline constexpr std::string_view kOrderFailPart = "order_fail";
inline constexpr std::string_view kInventoryReleasePart = "inventory_release";
inline constexpr std::array<std::string_view, 2> kFailedOrderParts{kOrderFailPart,
                                                                   kInventoryReleasePart};

// Idempotency keys: each idempotent step records its runs under its own name.
namespace step {
inline constexpr std::string_view kWelcomeEmail = "email";
inline constexpr std::string_view kPaymentRecorder = "payment_recorder";
inline constexpr std::string_view kReport = "report";
inline constexpr std::string_view kOrderConfirm = "order_confirm";
inline constexpr std::string_view kInventoryReserve = "inventory_reserve";
inline constexpr std::string_view kInventoryRelease = kInventoryReleasePart;
}  // namespace step

// External effects claimed once (ClaimEffect), each under its own name.
namespace effect {
inline constexpr std::string_view kWelcomeEmail = "welcome_email";      // key: user id
inline constexpr std::string_view kPaymentGateway = "payment_gateway";  // key: payment id
inline constexpr std::string_view kReportHashing = "report_hashing";    // key: job id
}  // namespace effect

}  // namespace flowbench
