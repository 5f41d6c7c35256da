// What each business step tells the demo's timeline (RecordSpan, sampled traces only), one
// sentence per step for both builds: a step reads the same whichever transport carried it.
// Only the words that are about the transport (how a waiting step waits) come from the
// caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/scenarios/stores.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench::narrate {

// A waiting step of the simulated work: "SMTP send (500 ms, <how>)".
void Waiting(const TraceContext& trace, std::string_view what, std::chrono::milliseconds duration,
             std::string_view how);

// Scenario 1.
void UserInserted(const TraceContext& trace, std::int64_t user_id);
void WelcomeEmailSent(const TraceContext& trace, std::int64_t user_id);
void UserWithdrawn(const TraceContext& trace, std::int64_t user_id);

// Scenario 2.
void PaymentRecorded(const TraceContext& trace, const Payment& payment);
void PaymentSettled(const TraceContext& trace, const std::string& payment_id, PaymentStatus status);
void PaymentWithdrawn(const TraceContext& trace, const std::string& payment_id);

// Scenario 3.
void ProductUpdated(const TraceContext& trace, const Product& product);

// Scenario 4.
void ReportJobRecorded(const TraceContext& trace, const ReportJob& job);
void ReportJobMoved(const TraceContext& trace, const std::string& job_id, ReportStatus status);
// "SHA-256 report (2000 ms of CPU <where>)".
void ReportHashing(const TraceContext& trace, std::chrono::milliseconds cpu_time,
                   std::string_view where);

// Scenario 5.
void OrderCreated(const TraceContext& trace, const Order& order);
// Confirming is the saga's normal end (a write); failing an order is the compensation's last
// step. `reason`, when given, says why it failed.
void OrderMoved(const TraceContext& trace, std::int64_t order_id, OrderStatus status,
                std::string_view reason = {});
void StockReserved(const TraceContext& trace, std::int64_t product_id, std::int64_t reserved);
void StockReleased(const TraceContext& trace, std::int64_t product_id, std::int64_t reserved);
void PaymentDecided(const TraceContext& trace, std::int64_t order_id, bool authorised);

}  // namespace flowbench::narrate
