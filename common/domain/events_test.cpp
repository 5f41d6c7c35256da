// Event envelope and typed events: encode/decode round trips and every rejection.
#include "common/domain/events.hpp"

#include <gtest/gtest.h>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

Envelope Sample() {
  Envelope e;
  e.message_id = NewMessageId();
  e.type = std::string(OrderCreated::kType);
  e.accepted_at = SystemTime(std::chrono::microseconds(1'763'716'330'123'456));
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  e.payload = ToJson(OrderCreated{{42, 1, 2}});
  return e;
}

TEST(Events, EnvelopeRoundTripKeepsEveryField) {
  Envelope original = Sample();
  Envelope decoded = DecodeEnvelope(EncodeEnvelope(original));
  EXPECT_EQ(decoded.message_id, original.message_id);
  EXPECT_EQ(decoded.type, original.type);
  EXPECT_EQ(decoded.accepted_at, original.accepted_at);  // microsecond precision kept
  EXPECT_EQ(decoded.trace_id, original.trace_id);
  OrderCreated order = PayloadAs<OrderCreated>(decoded);
  EXPECT_EQ(order.order_id, 42);
  EXPECT_EQ(order.product_id, 1);
  EXPECT_EQ(order.quantity, 2);
}

TEST(Events, EveryTypedEventRoundTrips) {
  auto through = [](std::string_view type, boost::json::object payload) {
    Envelope e = Sample();
    e.type = std::string(type);
    e.payload = std::move(payload);
    return DecodeEnvelope(EncodeEnvelope(e));
  };
  EXPECT_EQ(
      PayloadAs<UserRegistered>(through(UserRegistered::kType, ToJson(UserRegistered{3, "a@b.co"})))
          .email,
      "a@b.co");
  EXPECT_DOUBLE_EQ(PayloadAs<PaymentInitiated>(
                       through(PaymentInitiated::kType, ToJson(PaymentInitiated{"p", 9.5, "EUR"})))
                       .amount,
                   9.5);
  EXPECT_EQ(
      PayloadAs<PaymentCompleted>(
          through(PaymentCompleted::kType, ToJson(PaymentCompleted{"p", "succeeded", "txn_1"})))
          .status,
      "succeeded");
  EXPECT_EQ(PayloadAs<ProductUpdated>(
                through(ProductUpdated::kType, ToJson(ProductUpdated{2, "Phone", 5})))
                .stock,
            5);
  EXPECT_EQ(PayloadAs<ReportRequested>(
                through(ReportRequested::kType, ToJson(ReportRequested{"j", "monthly"})))
                .report_type,
            "monthly");
  EXPECT_EQ(
      PayloadAs<StockReserved>(through(StockReserved::kType, ToJson(StockReserved{{1, 2, 3}})))
          .quantity,
      3);
  EXPECT_EQ(PayloadAs<PaymentSucceeded>(
                through(PaymentSucceeded::kType, ToJson(PaymentSucceeded{{1, 2, 3}})))
                .order_id,
            1);
  PaymentFailed failed;
  failed.order_id = 1;
  failed.product_id = 2;
  failed.quantity = 3;
  failed.reason = "declined";
  EXPECT_EQ(PayloadAs<PaymentFailed>(through(PaymentFailed::kType, ToJson(failed))).reason,
            "declined");
  EXPECT_EQ(
      PayloadAs<ClickTracked>(through(ClickTracked::kType, ToJson(ClickTracked{7, "/x"}))).page,
      "/x");
}

TEST(Events, MissingEnvelopeFieldIsRejected) {
  for (const char* field : {"message_id", "type", "accepted_at", "trace_id", "payload"}) {
    boost::json::object json = boost::json::parse(EncodeEnvelope(Sample())).as_object();
    json.erase(field);
    EXPECT_THROW(DecodeEnvelope(boost::json::serialize(json)), ClientError) << field;
  }
}

TEST(Events, WrongTypesAreRejected) {
  boost::json::object json = boost::json::parse(EncodeEnvelope(Sample())).as_object();
  json["payload"] = "not an object";
  EXPECT_THROW(DecodeEnvelope(boost::json::serialize(json)), ClientError);
  json = boost::json::parse(EncodeEnvelope(Sample())).as_object();
  json["accepted_at"] = 1763716330;
  EXPECT_THROW(DecodeEnvelope(boost::json::serialize(json)), ClientError);
  json = boost::json::parse(EncodeEnvelope(Sample())).as_object();
  json["trace_id"] = "XYZ";
  EXPECT_THROW(DecodeEnvelope(boost::json::serialize(json)), ClientError);
}

TEST(Events, PayloadOfAnotherTypeOrWithBadValuesIsRejected) {
  Envelope e = Sample();
  EXPECT_THROW(PayloadAs<ClickTracked>(e), ClientError);  // it is an order_created
  e.payload["quantity"] = -1;
  EXPECT_THROW(PayloadAs<OrderCreated>(e), ClientError);
  e.type = std::string(PaymentInitiated::kType);
  e.payload = ToJson(PaymentInitiated{"p", -3, "USD"});
  EXPECT_THROW(PayloadAs<PaymentInitiated>(e), ClientError);
  e.type = std::string(PaymentCompleted::kType);
  e.payload = ToJson(PaymentCompleted{"p", "maybe", "t"});
  EXPECT_THROW(PayloadAs<PaymentCompleted>(e), ClientError);
}

TEST(Events, MalformedJsonIsRejected) {
  EXPECT_THROW(DecodeEnvelope("{not json"), ClientError);
  EXPECT_THROW(DecodeEnvelope(""), ClientError);
}

TEST(Events, TimestampsAreRfc3339WithMicroseconds) {
  SystemTime t = SystemTime(std::chrono::microseconds(1'000'000'000'000'001));
  EXPECT_EQ(FormatTimestamp(t), "2001-09-09T01:46:40.000001Z");
  EXPECT_EQ(ParseTimestamp("2001-09-09T01:46:40.000001Z"), t);
  EXPECT_THROW(ParseTimestamp("2001-09-09 01:46:40"), ClientError);
  EXPECT_THROW(ParseTimestamp("2001-09-09T01:46:40.000001Zjunk"), ClientError);
  EXPECT_THROW(ParseTimestamp("2001-09-09T01:46:40.+00001Z"), ClientError);
  EXPECT_THROW(ParseTimestamp("2001-09-09T01:46: 40.000001Z"), ClientError);
  EXPECT_EQ(FormatTimestamp(SystemTime{}), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00.000000Z"), SystemTime{});
  EXPECT_EQ(FormatTimestamp(ParseTimestamp("2026-12-31T23:59:59.999999Z")),
            "2026-12-31T23:59:59.999999Z");
}

TEST(Events, MessageIdsAreUuidV4AndUnique) {
  std::string a = NewMessageId(), b = NewMessageId();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace flowbench
