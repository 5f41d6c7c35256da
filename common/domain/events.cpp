#include "common/domain/events.hpp"

#include <array>
#include <cstdio>
#include <ctime>

#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"
#include "common/domain/random_ids.hpp"
#include "common/domain/statuses.hpp"

namespace flowbench {
namespace {

bool IsLowerHex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void RequireKnownStatus(const std::string& status) {
  std::optional<PaymentStatus> known = ParsePaymentStatus(status);
  if (known != PaymentStatus::kSucceeded && known != PaymentStatus::kFailed) {
    throw ValidationError("payment status must be \"succeeded\" or \"failed\", not \"" + status +
                          "\"");
  }
}

OrderLine ReadOrderLine(const JsonFields& f) {
  OrderLine line{f.Integer("order_id"), f.Integer("product_id"), f.Integer("quantity")};
  if (line.order_id <= 0 || line.product_id <= 0 || line.quantity <= 0) {
    throw ValidationError("order_id, product_id and quantity must be positive");
  }
  return line;
}

}  // namespace

std::string NewMessageId() {
  unsigned char b[16];
  FillRandomIdBytes(b, sizeof b);  // unique, not secret: no OpenSSL DRBG per message
  b[6] = (b[6] & 0x0f) | 0x40;     // version 4
  b[8] = (b[8] & 0x3f) | 0x80;     // RFC 4122 variant
  std::string text(36, '-');       // 8-4-4-4-12
  WriteLowerHex(b, 4, text.data());
  WriteLowerHex(b + 4, 2, text.data() + 9);
  WriteLowerHex(b + 6, 2, text.data() + 14);
  WriteLowerHex(b + 8, 2, text.data() + 19);
  WriteLowerHex(b + 10, 6, text.data() + 24);
  return text;
}

std::string FormatTimestamp(SystemTime time) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(micros.count() / 1'000'000);
  long fraction = static_cast<long>(micros.count() % 1'000'000);
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  int year = utc.tm_year + 1900;
  if (year < 0 || year > 9999) {
    char text[64];  // room for any year the compiler imagines
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", year, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, fraction);
    return text;
  }
  // Every click formats one or two of these: digits by hand, not snprintf's format parsing.
  std::string text = "0000-00-00T00:00:00.000000Z";
  auto put = [&text](std::size_t at, long value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) {
      text[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    }
  };
  put(0, year, 4);
  put(5, utc.tm_mon + 1, 2);
  put(8, utc.tm_mday, 2);
  put(11, utc.tm_hour, 2);
  put(14, utc.tm_min, 2);
  put(17, utc.tm_sec, 2);
  put(20, fraction, 6);
  return text;
}

SystemTime ParseTimestamp(std::string_view text) {
  // GCC 12 has no std::chrono::parse; the format is fixed (27 characters), so it is read
  // digit by digit: every consumed message has one.
  constexpr std::string_view kShape = "0000-00-00T00:00:00.000000Z";
  bool valid = text.size() == kShape.size();
  for (std::size_t i = 0; valid && i < kShape.size(); ++i) {
    valid = kShape[i] == '0' ? text[i] >= '0' && text[i] <= '9' : text[i] == kShape[i];
  }
  if (!valid) {
    throw ValidationError("timestamp '" + std::string(text) +
                          "' is not RFC 3339 UTC with microseconds (2026-01-31T12:00:00.000000Z)");
  }
  auto number = [text](std::size_t at, std::size_t digits) {
    long value = 0;
    for (std::size_t i = at; i < at + digits; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::tm utc{};
  utc.tm_year = static_cast<int>(number(0, 4)) - 1900;
  utc.tm_mon = static_cast<int>(number(5, 2)) - 1;
  utc.tm_mday = static_cast<int>(number(8, 2));
  utc.tm_hour = static_cast<int>(number(11, 2));
  utc.tm_min = static_cast<int>(number(14, 2));
  utc.tm_sec = static_cast<int>(number(17, 2));
  long fraction = number(20, 6);
  std::time_t seconds = timegm(&utc);
  return SystemTime(std::chrono::seconds(seconds)) + std::chrono::microseconds(fraction);
}

// Every message is encoded once and decoded once (a click: thousands a second), and the
// envelope object exists only to be written or read: it lives in an arena on the stack,
// not a heap allocation (and a free) per field.
constexpr std::size_t kEnvelopeArenaBytes = 4096;  // a click's envelope needs ~1 KB

std::string EncodeEnvelope(const Envelope& e) {
  std::array<unsigned char, kEnvelopeArenaBytes> buffer;
  boost::json::monotonic_resource arena(buffer.data(), buffer.size());
  boost::json::object json(&arena);
  json.reserve(5);
  json.emplace("message_id", e.message_id);
  json.emplace("type", e.type);
  json.emplace("accepted_at", FormatTimestamp(e.accepted_at));
  json.emplace("trace_id", e.trace_id);
  json.emplace("payload", e.payload);
  return boost::json::serialize(json);
}

Envelope DecodeEnvelope(std::string_view text) {
  std::array<unsigned char, kEnvelopeArenaBytes> buffer;
  boost::json::monotonic_resource arena(buffer.data(), buffer.size());
  boost::json::object json = ParseJsonObject(text, &arena);
  JsonFields fields(json);
  Envelope e;
  e.message_id = fields.String("message_id");
  if (e.message_id.empty()) throw ValidationError("field 'message_id' must not be empty");
  e.type = fields.String("type");
  e.accepted_at = ParseTimestamp(fields.String("accepted_at"));
  e.trace_id = fields.String("trace_id");
  if (e.trace_id.size() != 32 || !IsLowerHex(e.trace_id)) {
    throw ValidationError("field 'trace_id' must be 32 lowercase hex digits");
  }
  e.payload =
      boost::json::object(fields.Object("payload"), boost::json::storage_ptr());  // off the arena
  return e;
}

boost::json::object ToJson(const UserRegistered& e) {
  return {{"user_id", e.user_id}, {"email", e.email}};
}
boost::json::object ToJson(const PaymentInitiated& e) {
  return {{"payment_id", e.payment_id}, {"amount", e.amount}, {"currency", e.currency}};
}
boost::json::object ToJson(const PaymentCompleted& e) {
  return {{"payment_id", e.payment_id}, {"status", e.status}, {"transaction_id", e.transaction_id}};
}
boost::json::object ToJson(const ProductUpdated& e) {
  return {{"product_id", e.product_id}, {"name", e.name}, {"stock", e.stock}};
}
boost::json::object ToJson(const ReportRequested& e) {
  return {{"job_id", e.job_id}, {"report_type", e.report_type}};
}
boost::json::object ToJson(const OrderLine& e) {
  return {{"order_id", e.order_id}, {"product_id", e.product_id}, {"quantity", e.quantity}};
}
boost::json::object ToJson(const PaymentFailed& e) {
  boost::json::object json = ToJson(static_cast<const OrderLine&>(e));
  json["reason"] = e.reason;
  return json;
}
boost::json::object ToJson(const ClickTracked& e) {
  return {{"user_id", e.user_id}, {"page", e.page}};
}

namespace {

template <typename Event>
Event Read(const JsonFields& f);

template <>
UserRegistered Read(const JsonFields& f) {
  return {f.Integer("user_id"), f.String("email")};
}
template <>
PaymentInitiated Read(const JsonFields& f) {
  PaymentInitiated e{f.String("payment_id"), f.Number("amount"), f.String("currency")};
  if (e.amount <= 0) throw ValidationError("field 'amount' must be a positive number");
  return e;
}
template <>
PaymentCompleted Read(const JsonFields& f) {
  PaymentCompleted e{f.String("payment_id"), f.String("status"), f.String("transaction_id")};
  RequireKnownStatus(e.status);
  return e;
}
template <>
ProductUpdated Read(const JsonFields& f) {
  return {f.Integer("product_id"), f.String("name"), f.Integer("stock")};
}
template <>
ReportRequested Read(const JsonFields& f) {
  return {f.String("job_id"), f.String("report_type")};
}
template <>
OrderCreated Read(const JsonFields& f) {
  return {ReadOrderLine(f)};
}
template <>
StockReserved Read(const JsonFields& f) {
  return {ReadOrderLine(f)};
}
template <>
PaymentSucceeded Read(const JsonFields& f) {
  return {ReadOrderLine(f)};
}
template <>
PaymentFailed Read(const JsonFields& f) {
  PaymentFailed e;
  static_cast<OrderLine&>(e) = ReadOrderLine(f);
  e.reason = f.String("reason");
  return e;
}
template <>
ClickTracked Read(const JsonFields& f) {
  return {f.Integer("user_id"), f.String("page")};
}

}  // namespace

template <typename Event>
Event PayloadAs(const Envelope& envelope) {
  if (envelope.type != Event::kType) {
    throw ValidationError("expected a '" + std::string(Event::kType) + "' message, got '" +
                          envelope.type + "'");
  }
  return Read<Event>(JsonFields(envelope.payload));
}

template UserRegistered PayloadAs(const Envelope&);
template PaymentInitiated PayloadAs(const Envelope&);
template PaymentCompleted PayloadAs(const Envelope&);
template ProductUpdated PayloadAs(const Envelope&);
template ReportRequested PayloadAs(const Envelope&);
template OrderCreated PayloadAs(const Envelope&);
template StockReserved PayloadAs(const Envelope&);
template PaymentSucceeded PayloadAs(const Envelope&);
template PaymentFailed PayloadAs(const Envelope&);
template ClickTracked PayloadAs(const Envelope&);

}  // namespace flowbench
