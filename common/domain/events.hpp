// The messages of CONTRACT.md §4: an envelope (message_id, type, accepted_at, trace_id,
// payload) around one typed event per step. Encode/Decode are strict: a message that does
// not validate is rejected with a clear error (and, in the async build, dead-lettered).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace flowbench {

using SystemTime = std::chrono::system_clock::time_point;

struct Envelope {
  std::string message_id;  // unique per message: the idempotency key of every consumer
  std::string type;        // e.g. "user_registered"
  SystemTime accepted_at;  // when the front accepted the request; completion counts from it
  std::string trace_id;    // W3C trace id (32 hex digits) of the request
  boost::json::object payload;
};

std::string EncodeEnvelope(const Envelope& envelope);
Envelope DecodeEnvelope(std::string_view json);  // throws ClientError

// RFC 3339 UTC with microseconds: "2026-11-21T09:12:10.123456Z".
std::string FormatTimestamp(SystemTime time);
SystemTime ParseTimestamp(std::string_view text);  // throws ClientError

std::string NewMessageId();  // a random UUID v4

// --- The typed events; each has a type name, ToJson and a strict From<Event>(payload). ---

struct UserRegistered {
  static constexpr std::string_view kType = "user_registered";
  std::int64_t user_id = 0;
  std::string email;
};

struct PaymentInitiated {
  static constexpr std::string_view kType = "payment_initiated";
  std::string payment_id;
  double amount = 0;
  std::string currency;
};

struct PaymentCompleted {
  static constexpr std::string_view kType = "payment_completed";
  std::string payment_id;
  std::string status;  // "succeeded" or "failed"
  std::string transaction_id;
};

struct ProductUpdated {
  static constexpr std::string_view kType = "product_updated";
  std::int64_t product_id = 0;
  std::string name;
  std::int64_t stock = 0;
};

struct ReportRequested {
  static constexpr std::string_view kType = "report_requested";
  std::string job_id;
  std::string report_type;
};

// The saga's events all describe one order line.
struct OrderLine {
  std::int64_t order_id = 0;
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
};
struct OrderCreated : OrderLine {
  static constexpr std::string_view kType = "order_created";
};
struct StockReserved : OrderLine {
  static constexpr std::string_view kType = "stock_reserved";
};
struct PaymentSucceeded : OrderLine {
  static constexpr std::string_view kType = "payment_succeeded";
};
struct PaymentFailed : OrderLine {
  static constexpr std::string_view kType = "payment_failed";
  std::string reason;
};

struct ClickTracked {
  static constexpr std::string_view kType = "click_tracked";
  std::int64_t user_id = 0;
  std::string page;
};

boost::json::object ToJson(const UserRegistered& e);
boost::json::object ToJson(const PaymentInitiated& e);
boost::json::object ToJson(const PaymentCompleted& e);
boost::json::object ToJson(const ProductUpdated& e);
boost::json::object ToJson(const ReportRequested& e);
boost::json::object ToJson(const OrderLine& e);
boost::json::object ToJson(const PaymentFailed& e);
boost::json::object ToJson(const ClickTracked& e);

// Decodes the payload of an envelope whose type must be Event::kType.
template <typename Event>
Event PayloadAs(const Envelope& envelope);

}  // namespace flowbench
